import { isDeepStrictEqual } from "node:util";
import { applyDefaults, fromApiObject, kindInfo, toApiObject, metaOf, objectOf, type JsonObject } from "@capstan/api";
import { isCapstanError, type ObjectKey } from "@capstan/apimachinery";
import type { CapstanClient } from "@capstan/client";
import { objectAttributes, withSpan, type Tracer } from "@capstan/telemetry";
import { isManifestError, readDocuments } from "../manifests.js";
import { qualifiedResource } from "../printers.js";

/** What apply needs of the gateway. */
export type ApplyClient = Pick<CapstanClient, "get" | "create" | "update">;

export type ApplyOutcome = "created" | "configured" | "unchanged";

/** What apply did to one object, and the object as the gateway holds it after. */
export interface Applied {
  readonly outcome: ApplyOutcome;
  readonly object: JsonObject;
}

/** Reads and writes retried when another writer creates or changes the object in between. */
const MAX_ATTEMPTS = 5;

/** Current object with the manifest's declared parts laid over it (labels, annotations, spec, other top-level fields). */
function desiredFrom(current: JsonObject, manifest: JsonObject, kind: string): JsonObject {
  const cur = metaOf(current).json;
  const defaulted = applyDefaults(kind, manifest);
  // Defaulted, so labels a kind fills in (a ReplicationController's, from its template) compare equal.
  const want = metaOf(defaulted).json;
  const merged: JsonObject = { ...current, ...defaulted, status: current["status"] };
  if (current["status"] === undefined) delete merged["status"];
  const metadata: JsonObject = { ...cur, labels: want["labels"], annotations: want["annotations"] };
  for (const k of ["labels", "annotations"]) if (metadata[k] === undefined) delete metadata[k];
  merged["metadata"] = metadata;
  const spec = objectOf(merged["spec"]);
  const currentSpec = objectOf(current["spec"]);
  // The scheduler's binding is not the manifest's to undo.
  if (kind === "Pod" && spec && currentSpec?.["nodeName"]) merged["spec"] = { ...spec, nodeName: currentSpec["nodeName"] };
  return merged;
}

async function getIfExists(client: ApplyClient, key: ObjectKey): Promise<JsonObject | undefined> {
  try {
    return fromApiObject(await client.get(key)).json;
  } catch (e) {
    if (isCapstanError(e, "NotFound")) return undefined;
    throw e;
  }
}

/**
 * kubectl apply's outcome for one object: created when absent, else updated with the current
 * resourceVersion when the manifest changes what is stored.
 */
export async function applyObject(client: ApplyClient, key: ObjectKey, manifest: JsonObject): Promise<Applied> {
  for (let attempt = 1; ; attempt++) {
    const current = await getIfExists(client, key);
    try {
      if (!current) return { outcome: "created", object: fromApiObject(await client.create(toApiObject(manifest))).json };
      const desired = desiredFrom(current, manifest, key.kind);
      if (isDeepStrictEqual(desired, current)) return { outcome: "unchanged", object: current };
      return { outcome: "configured", object: fromApiObject(await client.update(toApiObject(desired))).json };
    } catch (e) {
      // Created or changed by another writer since the read: read again.
      if (attempt < MAX_ATTEMPTS && (isCapstanError(e, "AlreadyExists") || isCapstanError(e, "Conflict"))) continue;
      throw e;
    }
  }
}

/**
 * kubectl apply -f: each document applied in turn and reported as it goes; a document that does not
 * decode, or that the server refuses, is reported on stderr after the others (one line each) and
 * makes the command fail, as kubectl continues on error and exits 1.
 */
export async function apply(client: CapstanClient, tracer: Tracer, files: string[], namespace: string | undefined): Promise<void> {
  const documents = readDocuments(files);
  if (documents.length === 0) throw new Error("no objects passed to apply");
  const errors: string[] = [];
  for (const m of documents) {
    if (isManifestError(m)) {
      errors.push(`error: ${m.error}`);
      continue;
    }
    const info = kindInfo(m.kind);
    const meta = { ...metaOf(m.json).json };
    if (info.namespaced && !meta["namespace"] && namespace) meta["namespace"] = namespace;
    const name = String(meta["name"] ?? "");
    const key = { kind: m.kind, namespace: String(meta["namespace"] ?? ""), name };
    try {
      // Each object's apply is the root of its trace: the writes it causes, down to a running pod, descend from it.
      const { outcome } = await withSpan(tracer, "Capctl/Apply", objectAttributes({ kind: m.kind, metadata: meta }), async (span) => {
        const applied = await applyObject(client, key, { ...m.json, metadata: meta });
        span.setAttributes({ ...objectAttributes(applied.object), "capstan.apply.outcome": applied.outcome });
        return applied;
      });
      console.log(`${qualifiedResource(m.kind)}/${name} ${outcome}`);
    } catch (e) {
      // A gateway that cannot be reached fails every document alike: stop at the first.
      if (!isCapstanError(e) || e.code === "Unavailable") throw e;
      errors.push(`Error from server (${e.code}): error when applying ${JSON.stringify(m.source)}: ${e.message.replaceAll("\n", " ")}`);
    }
  }
  for (const line of errors) console.error(line);
  if (errors.length > 0) process.exitCode = 1;
}
