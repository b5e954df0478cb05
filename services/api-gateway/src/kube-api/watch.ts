/**
 * `?watch=1`: a chunked stream of JSON lines (`{"type":"ADDED","object":{…}}`) through ObjectService.watch,
 * the same watch the gRPC API serves. From resourceVersion "" or "0" it first sends the current objects as
 * ADDED, as the apiserver does; a revision the stream no longer holds ends it with an ERROR event whose
 * object is the 410 Expired Status. Bookmarks are allowed but never sent, which the API permits.
 */
import { fromApiObject, type WatchEvent } from "@capstan/api";
import type { JsonObject } from "@capstan/apimachinery";
import type { ObjectService } from "../object-service.js";
import type { KubeRequest } from "./request.js";
import { integerParam } from "./request.js";
import { statusOf } from "./status.js";
import { includeObjectOf, toTable, wantsTable } from "./table.js";

export async function serveWatch(service: ObjectService, req: KubeRequest): Promise<void> {
  const { info, namespace } = req.path;
  const table = wantsTable(req.accept);
  const includeObject = includeObjectOf(req.query.get("includeObject"));
  const timeoutSeconds = integerParam(req.query, "timeoutSeconds");
  const selection = {
    kind: info.kind,
    namespace,
    labelSelector: req.query.get("labelSelector") ?? "",
    fieldSelector: req.query.get("fieldSelector") ?? "",
  };
  const abort = new AbortController();
  req.res.on("close", () => abort.abort());
  const timer = timeoutSeconds !== undefined ? setTimeout(() => abort.abort(), timeoutSeconds * 1000) : undefined;

  const send = (type: string, object: JsonObject, resourceVersion: string) => {
    const shown = table && type !== "ERROR" ? toTable(info.kind, [object], includeObject, { resourceVersion }) : object;
    return req.res.write(`${JSON.stringify({ type, object: shown })}\n`);
  };
  req.res.writeHead(200, { "Content-Type": table ? "application/json;as=Table;v=v1;g=meta.k8s.io" : "application/json", "Transfer-Encoding": "chunked" });
  // Now, not with the first event: a client (kubectl wait's informer) waits for the answer before it relies on the watch.
  req.res.flushHeaders();
  try {
    let resourceVersion = req.query.get("resourceVersion") ?? "";
    if (resourceVersion === "" || resourceVersion === "0") {
      const list = await service.list(selection);
      for (const item of list.items) send("ADDED", fromApiObject(item).json, list.resourceVersion);
      resourceVersion = list.resourceVersion;
    }
    for await (const event of service.watch({ ...selection, resourceVersion }, abort.signal, "http")) {
      if (!send(event.type, jsonOf(event), event.resourceVersion)) await drained(req);
    }
  } catch (e) {
    if (!abort.signal.aborted) send("ERROR", { ...statusOf(e) }, "");
  } finally {
    clearTimeout(timer);
    req.res.end();
  }
}

/** Until the client took what was written, or went away. */
function drained(req: KubeRequest): Promise<void> {
  return new Promise((resolve) => {
    req.res.once("drain", resolve);
    req.res.once("close", resolve);
  });
}

function jsonOf(event: WatchEvent): JsonObject {
  if (!event.object) throw new Error(`watch event ${event.resourceVersion} carries no object`);
  return fromApiObject(event.object).json;
}
