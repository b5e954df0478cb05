import { isDeepStrictEqual } from "node:util";
import { applyDefaults, fromApiObject, kindInfo, toApiObject } from "@capstan/api";
import { isCapstanError } from "@capstan/apimachinery";
import type { CapstanClient } from "@capstan/client";
import { readManifests } from "../manifests.js";

type Json = Record<string, unknown>;

/** Current object with the manifest's declared parts laid over it (labels, annotations, spec, other top-level fields). */
function desiredFrom(current: Json, manifest: Json, kind: string): Json {
  const cur = current["metadata"] as Json;
  const want = (manifest["metadata"] ?? {}) as Json;
  const merged: Json = { ...current, ...applyDefaults(kind, manifest), status: current["status"] };
  if (current["status"] === undefined) delete merged["status"];
  merged["metadata"] = { ...cur, labels: want["labels"], annotations: want["annotations"] };
  for (const k of ["labels", "annotations"]) if ((merged["metadata"] as Json)[k] === undefined) delete (merged["metadata"] as Json)[k];
  const spec = merged["spec"] as Json | undefined;
  const currentSpec = current["spec"] as Json | undefined;
  // The scheduler's binding is not the manifest's to undo.
  if (kind === "Pod" && spec && currentSpec?.["nodeName"]) merged["spec"] = { ...spec, nodeName: currentSpec["nodeName"] };
  return merged;
}

export async function apply(client: CapstanClient, files: string[], namespace: string | undefined): Promise<void> {
  const manifests = readManifests(files);
  if (manifests.length === 0) throw new Error("no objects passed to apply");
  for (const m of manifests) {
    const info = kindInfo(m.kind);
    const meta = { ...((m.json["metadata"] ?? {}) as Json) };
    if (info.namespaced && !meta["namespace"] && namespace) meta["namespace"] = namespace;
    const manifest = { ...m.json, metadata: meta };
    const name = String(meta["name"] ?? "");
    const label = `${info.singular}/${name}`;
    let current: Json | undefined;
    try {
      current = fromApiObject(await client.get({ kind: m.kind, namespace: String(meta["namespace"] ?? ""), name })).json;
    } catch (e) {
      if (!isCapstanError(e, "NotFound")) throw e;
    }
    if (!current) {
      await client.create(toApiObject(manifest));
      console.log(`${label} created`);
      continue;
    }
    const desired = desiredFrom(current, manifest, m.kind);
    if (isDeepStrictEqual(desired, current)) {
      console.log(`${label} unchanged`);
      continue;
    }
    await client.update(toApiObject(desired));
    console.log(`${label} configured`);
  }
}
