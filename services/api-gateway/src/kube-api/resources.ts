/**
 * The verbs on a resource and its subresources, over ObjectService — the gRPC API's validation,
 * admission, conflict and watch path; this file only translates HTTP to its calls and back.
 */
import { decodeManifest, fromApiObject, keyOf, metaOf, type ApiObject } from "@capstan/api";
import { field, InvalidError, isCapstanError, type FieldError, type JsonObject } from "@capstan/apimachinery";
import { openContainerLog } from "../container-logs.js";
import type { ObjectService } from "../object-service.js";
import { decodeContinue, encodeContinue, pageOf } from "./continue-token.js";
import { applyPatch, isApplyPatch, patchNamesResourceVersion } from "./patch.js";
import { booleanParam, integerParam, jsonBody, sendJson, type KubeRequest } from "./request.js";
import { scaledObject, scaleOf } from "./scale.js";
import { badRequest, KubeApiError, methodNotAllowed, notFoundPath, success } from "./status.js";
import { includeObjectOf, toTable, wantsTable } from "./table.js";
import { serveWatch } from "./watch.js";
import { writeQueryOf, type WriteQuery } from "./write-options.js";

/** How often a PATCH that named no resourceVersion is re-read and re-applied after a Conflict. */
const PATCH_CONFLICT_RETRIES = 5;

/** A view of the request's object that can be read and written whole: the object itself, its status, its scale. */
interface Facet {
  read(): Promise<JsonObject>;
  write(body: unknown): Promise<JsonObject>;
}

export async function serveResource(service: ObjectService, request: KubeRequest): Promise<void> {
  const { path, method } = request;
  const applying = method === "PATCH" && isApplyPatch(request.contentType);
  const write = writeQueryOf(method, request.query, request.http.headers["user-agent"], applying);
  const req = { ...request, ctx: { ...request.ctx, fieldManager: write.fieldManager } };
  if (path.info.namespaced && path.namespace === "" && (path.name !== "" || method === "POST")) throw notFoundPath();
  if (path.subresource === "exec" || path.subresource === "attach") {
    // A WebSocket upgrade of these is served by exec-websocket.ts before it reaches here.
    throw badRequest("Upgrade request required");
  }
  if (path.subresource === "log") {
    if (method !== "GET") throw methodNotAllowed(method);
    return serveLog(service, req);
  }
  if (path.subresource === "binding") {
    if (method !== "POST") throw methodNotAllowed(method);
    return bind(service, req);
  }
  if (path.subresource === "eviction") {
    if (method !== "POST") throw methodNotAllowed(method);
    return evict(service, req);
  }
  if (path.name === "") return serveCollection(service, req, write);

  if (applying) return serverSideApply(service, req, write, await jsonBody(req.http));
  const facet = facetOf(service, req, write);
  switch (method) {
    case "GET":
      return answer(req, 200, await facet.read());
    case "PUT":
      return answer(req, 200, await facet.write(await jsonBody(req.http)));
    case "PATCH":
      return answer(req, 200, await patch(facet, req, await jsonBody(req.http)));
    case "DELETE":
      if (path.subresource !== undefined) throw methodNotAllowed(method);
      return answer(req, 200, await deleteOne(service, req, path.name, await jsonBody(req.http)));
    default:
      throw methodNotAllowed(method);
  }
}

async function serveCollection(service: ObjectService, req: KubeRequest, write: WriteQuery): Promise<void> {
  switch (req.method) {
    case "GET":
      if (booleanParam(req.query, "watch")) return serveWatch(service, req);
      return list(service, req);
    case "POST": {
      const created = await service.create(objectFromBody(req, await jsonBody(req.http)), req.ctx, { dryRun: write.dryRun });
      return answer(req, 201, fromApiObject(created).json);
    }
    case "DELETE":
      return deleteCollection(service, req, await jsonBody(req.http));
    default:
      throw methodNotAllowed(req.method);
  }
}

function facetOf(service: ObjectService, req: KubeRequest, { dryRun }: WriteQuery): Facet {
  const { info, namespace, name, subresource } = req.path;
  const read = async () => fromApiObject(await service.get({ kind: info.kind, namespace, name })).json;
  switch (subresource) {
    case undefined:
      return { read, write: async (body) => fromApiObject(await service.update(objectFromBody(req, body), req.ctx, { dryRun })).json };
    case "status":
      return { read, write: async (body) => fromApiObject(await service.updateStatus(objectFromBody(req, body), req.ctx, { dryRun })).json };
    case "finalize":
      return { read, write: async (body) => fromApiObject(await service.finalize(objectFromBody(req, body), req.ctx, { dryRun })).json };
    case "scale":
      return {
        read: async () => scaleOf(await read()),
        write: async (body) =>
          scaleOf(fromApiObject(await service.update(decodeManifest(scaledObject(await read(), body)).apiObject, req.ctx, { dryRun, subresource: "scale" })).json),
      };
    default:
      throw methodNotAllowed(req.method);
  }
}

/**
 * Read, patch, write with the resourceVersion read: a concurrent write is a Conflict, re-tried from a
 * fresh read unless the patch named the resourceVersion itself, as the apiserver does.
 */
async function patch(facet: Facet, req: KubeRequest, body: unknown): Promise<JsonObject> {
  const retries = patchNamesResourceVersion(req.contentType, body) ? 0 : PATCH_CONFLICT_RETRIES;
  for (let attempt = 0; ; attempt++) {
    const patched = applyPatch(req.contentType, await facet.read(), body, req.path.info.kind);
    try {
      return await facet.write(patched);
    } catch (e) {
      if (!isCapstanError(e, "Conflict") || attempt >= retries) throw e;
    }
  }
}

/**
 * PATCH with an apply configuration: the registry's server-side apply for the request's field manager,
 * 201 when it created the object. Only the object itself is applied to, not a subresource.
 */
async function serverSideApply(service: ObjectService, req: KubeRequest, write: WriteQuery, body: unknown): Promise<void> {
  const { info, namespace, name, subresource } = req.path;
  if (subresource !== undefined) throw badRequest(`server-side apply to the ${subresource} subresource is not served yet; apply to the ${info.plural} resource itself`);
  const configuration = fromApiObject(objectFromBody(req, body)).json;
  const { object, created } = await service.apply({ kind: info.kind, namespace, name, configuration, fieldManager: write.fieldManager, force: write.force }, req.ctx, { dryRun: write.dryRun });
  return answer(req, created ? 201 : 200, fromApiObject(object).json);
}

/** The body as the object of this request: its namespace and name must be the URL's, or empty. */
function objectFromBody(req: KubeRequest, body: unknown): ApiObject {
  if (typeof body !== "object" || body === null || Array.isArray(body)) throw badRequest("the request body must be a JSON object");
  const json = body as JsonObject;
  const meta = metaOf(json);
  const { info, namespace, name } = req.path;
  if (name !== "" && meta.name !== name) throw badRequest(`the name of the object (${meta.name}) does not match the name on the URL (${name})`);
  if (info.namespaced && meta.namespace !== "" && meta.namespace !== namespace) {
    throw badRequest("the namespace of the provided object does not match the namespace sent on the request");
  }
  req.target.name = meta.name;
  // A body without apiVersion and kind is of the URL's resource, as the apiserver's decoder defaults them.
  const decoded = decodeManifest({ apiVersion: info.apiVersion, kind: info.kind, ...json, metadata: { ...meta.json, ...(info.namespaced ? { namespace } : {}) } });
  if (decoded.kind !== info.kind) throw badRequest(`the kind of the object (${decoded.kind}) does not match the resource on the URL (${info.plural})`);
  return decoded.apiObject;
}

async function list(service: ObjectService, req: KubeRequest): Promise<void> {
  const { info, namespace } = req.path;
  const q = req.query;
  const limit = integerParam(q, "limit") ?? 0;
  const continueRaw = q.get("continue") ?? "";
  const resourceVersion = q.get("resourceVersion") ?? "";
  const match = q.get("resourceVersionMatch") ?? "";
  if (match !== "" && match !== "NotOlderThan" && match !== "Exact") {
    throw listOptionsInvalid(field.notSupported("resourceVersionMatch", match, ["Exact", "NotOlderThan"]));
  }
  if (match !== "" && resourceVersion === "") throw listOptionsInvalid(field.forbidden("resourceVersionMatch", "resourceVersionMatch is forbidden unless resourceVersion is provided"));
  if (match !== "" && continueRaw !== "") throw listOptionsInvalid(field.forbidden("resourceVersionMatch", "resourceVersionMatch is forbidden when continue is provided"));
  if (match === "Exact" && resourceVersion === "0") {
    throw listOptionsInvalid(field.forbidden("resourceVersionMatch", 'resourceVersionMatch "exact" is forbidden for resourceVersion "" or "0"'));
  }
  if (continueRaw !== "" && resourceVersion !== "") throw badRequest("specifying resource version is not allowed when using continue");
  const token = continueRaw === "" ? undefined : decodeContinue(continueRaw);

  const listRequest = { kind: info.kind, namespace, labelSelector: q.get("labelSelector") ?? "", fieldSelector: q.get("fieldSelector") ?? "" };
  let listed = await service.list(listRequest);
  const head = Number(listed.resourceVersion);
  // The revision this list answers at: the one a continue token or an Exact match names, read from the log
  // as it was then (as etcd's snapshot would), unless nothing of the kind changed since.
  let at = head;
  const requested = token?.resourceVersion ?? (resourceVersion !== "" && resourceVersion !== "0" ? Number(resourceVersion) : undefined);
  if (requested !== undefined) {
    if (!Number.isSafeInteger(requested) || requested < 0) throw badRequest(`resourceVersion: Invalid value "${resourceVersion}": must be a revision`);
    if (requested > head) throw new KubeApiError(504, "Timeout", `Too large resource version: ${requested}, current: ${head}`);
    if (token || match === "Exact") {
      at = requested;
      if (requested !== head && (await service.changedSince(info.kind, namespace, requested, head))) {
        listed = await service.list({ ...listRequest, revision: requested }).catch((e: unknown) => {
          throw isCapstanError(e, "Expired") ? expiredList(token !== undefined) : e;
        });
      }
    }
  }
  const items = listed.items.map((o) => fromApiObject(o).json).sort((a, b) => (keyOf(a) < keyOf(b) ? -1 : keyOf(a) > keyOf(b) ? 1 : 0));
  const page = pageOf(items, keyOf, limit, token?.start ?? "");
  const last = page.items[page.items.length - 1];
  const metadata = {
    resourceVersion: String(at),
    ...(page.remaining > 0 && last ? { continue: encodeContinue({ resourceVersion: at, start: keyOf(last) }), remainingItemCount: page.remaining } : {}),
  };
  if (wantsTable(req.accept)) return sendJson(req.res, 200, toTable(info.kind, page.items, includeObjectOf(q.get("includeObject")), metadata));
  sendJson(req.res, 200, { kind: `${info.kind}List`, apiVersion: info.apiVersion, metadata, items: page.items });
}

/** ListOptions the apiserver's ValidateListOptions refuses: 422, as it answers. */
function listOptionsInvalid(error: FieldError): InvalidError {
  return new InvalidError('ListOptions.meta.k8s.io ""', [error]);
}

function expiredList(continued: boolean): KubeApiError {
  return new KubeApiError(
    410,
    "Expired",
    continued
      ? "The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter."
      : "The resourceVersion for the provided list is too old.",
  );
}

/** DeleteOptions from the query and the body (kubectl sends a body), the body winning as in Kubernetes. */
function deleteOptions(
  req: KubeRequest,
  body: unknown,
): { gracePeriodSeconds?: number; propagationPolicy: string; preconditions?: { uid?: string; resourceVersion?: string }; dryRun: boolean } {
  const o = (typeof body === "object" && body !== null && !Array.isArray(body) ? body : {}) as JsonObject;
  const known = new Set(["kind", "apiVersion", "gracePeriodSeconds", "propagationPolicy", "preconditions", "orphanDependents", "dryRun"]);
  const unknown = Object.keys(o).find((k) => !known.has(k));
  if (unknown) throw badRequest(`strict decoding error: unknown field "${unknown}" in DeleteOptions`);
  const bodyDryRun = o["dryRun"] === undefined ? [] : Array.isArray(o["dryRun"]) ? o["dryRun"] : [o["dryRun"]];
  const { dryRun } = writeQueryOf(req.method, req.query, undefined, false, bodyDryRun);
  const grace = o["gracePeriodSeconds"] ?? integerParam(req.query, "gracePeriodSeconds");
  if (grace !== undefined && (typeof grace !== "number" || !Number.isSafeInteger(grace))) throw badRequest(`gracePeriodSeconds: Invalid value ${JSON.stringify(grace)}: must be an integer`);
  const orphan = o["orphanDependents"] ?? (req.query.has("orphanDependents") ? booleanParam(req.query, "orphanDependents") : undefined);
  const policy = o["propagationPolicy"] ?? req.query.get("propagationPolicy") ?? (orphan === true ? "Orphan" : orphan === false ? "Background" : "");
  if (typeof policy !== "string") throw badRequest(`propagationPolicy: Invalid value ${JSON.stringify(policy)}: must be a string`);
  const pre = (o["preconditions"] ?? {}) as { uid?: unknown; resourceVersion?: unknown };
  const preconditions = {
    ...(typeof pre.uid === "string" && pre.uid ? { uid: pre.uid } : {}),
    ...(typeof pre.resourceVersion === "string" && pre.resourceVersion ? { resourceVersion: pre.resourceVersion } : {}),
  };
  return {
    ...(grace !== undefined ? { gracePeriodSeconds: grace } : {}),
    propagationPolicy: policy,
    ...(Object.keys(preconditions).length > 0 ? { preconditions } : {}),
    dryRun,
  };
}

/** The object as the delete left it: terminating, or as it was when it went. */
async function deleteOne(service: ObjectService, req: KubeRequest, name: string, body: unknown): Promise<JsonObject> {
  const { info, namespace } = req.path;
  const { object } = await service.delete({ kind: info.kind, namespace, name, ...deleteOptions(req, body) }, req.ctx);
  return fromApiObject(object).json;
}

/** Deletes every selected object, each as a delete of its own; answers the list of what the deletes left. */
async function deleteCollection(service: ObjectService, req: KubeRequest, body: unknown): Promise<void> {
  const { info, namespace } = req.path;
  const options = deleteOptions(req, body);
  const { items } = await service.list({ kind: info.kind, namespace, labelSelector: req.query.get("labelSelector") ?? "", fieldSelector: req.query.get("fieldSelector") ?? "" });
  const deleted: JsonObject[] = [];
  for (const item of items) {
    const meta = metaOf(fromApiObject(item).json);
    try {
      const { object } = await service.delete({ kind: info.kind, namespace: meta.namespace, name: meta.name, ...options }, req.ctx);
      deleted.push(fromApiObject(object).json);
    } catch (e) {
      // Gone meanwhile is what the caller wanted.
      if (!isCapstanError(e, "NotFound")) throw e;
    }
  }
  sendJson(req.res, 200, { kind: `${info.kind}List`, apiVersion: info.apiVersion, metadata: {}, items: deleted });
}

/** POST pods/<name>/binding: the scheduler's Bind, as the apiserver's BindingREST. */
async function bind(service: ObjectService, req: KubeRequest): Promise<void> {
  const body = (await jsonBody(req.http)) as { metadata?: { name?: unknown; uid?: unknown }; target?: { kind?: unknown; name?: unknown } } | undefined;
  const { namespace, name } = req.path;
  const nodeName = body?.target?.name;
  if (typeof nodeName !== "string" || nodeName === "") throw badRequest("target.name: Required value: a Binding names the node to bind to");
  if (body?.target?.kind !== undefined && body.target.kind !== "Node") throw badRequest(`target.kind: Unsupported value ${JSON.stringify(body.target.kind)}: supported values: "Node"`);
  if (body?.metadata?.name !== undefined && body.metadata.name !== name) throw badRequest(`the name of the object (${String(body.metadata.name)}) does not match the name on the URL (${name})`);
  const uid = typeof body?.metadata?.uid === "string" && body.metadata.uid !== "" ? body.metadata.uid : undefined;
  await service.bind(namespace, name, nodeName, uid, req.ctx);
  sendJson(req.res, 201, success(201));
}

/** POST pods/<name>/eviction: a policy/v1 Eviction, its deleteOptions those of the delete it asks for. */
async function evict(service: ObjectService, req: KubeRequest): Promise<void> {
  const body = (await jsonBody(req.http)) as { metadata?: { name?: unknown }; deleteOptions?: unknown } | undefined;
  const { namespace, name } = req.path;
  if (body?.metadata?.name !== undefined && body.metadata.name !== name) throw badRequest("name in URL does not match name in Eviction object");
  const { gracePeriodSeconds, preconditions } = deleteOptions(req, body?.deleteOptions);
  await service.evict({ namespace, name, gracePeriodSeconds, preconditions }, req.ctx);
  sendJson(req.res, 201, success(201));
}

/** GET pods/<name>/log: the container's log, streamed as the node agent sends it (the gRPC Logs path). */
async function serveLog(service: ObjectService, req: KubeRequest): Promise<void> {
  const q = req.query;
  // The node agent's logs carry no timestamps to show; refused rather than invented here.
  if (booleanParam(q, "timestamps")) throw badRequest("timestamps: Invalid value true: log timestamps are not supported yet");
  const log = await openContainerLog(service, {
    namespace: req.path.namespace,
    name: req.path.name,
    container: q.get("container") ?? "",
    follow: booleanParam(q, "follow"),
    previous: booleanParam(q, "previous"),
    tailLines: integerParam(q, "tailLines"),
  });
  req.res.on("close", () => log.destroy());
  req.res.writeHead(200, { "Content-Type": "text/plain", "Transfer-Encoding": "chunked" });
  // A followed log may say nothing for a while; the client learns at once that it is following.
  req.res.flushHeaders();
  log.pipe(req.res);
}

/** An object or one of its views, as JSON or as the Table kubectl asks for. */
function answer(req: KubeRequest, code: number, object: JsonObject): void {
  if (wantsTable(req.accept) && req.path.subresource === undefined) {
    return sendJson(req.res, code, toTable(req.path.info.kind, [object], includeObjectOf(req.query.get("includeObject")), { resourceVersion: metaOf(object).resourceVersion }));
  }
  sendJson(req.res, code, object);
}
