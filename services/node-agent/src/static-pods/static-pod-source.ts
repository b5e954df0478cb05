/**
 * Static pods from a directory of manifests (the kubelet's file config source, pkg/kubelet/config/file.go):
 * each YAML or JSON document of kind Pod becomes a pod this node runs without the API, named
 * `<name>-<node>`, bound here, its uid the hash of what the file says so that a changed file is a new pod.
 */
import { createHash } from "node:crypto";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { parseAllDocuments } from "yaml";
import { applyDefaults, decodeManifest, metaOf, MIRROR_POD_ANNOTATION, Pod, validateObject, type JsonObject } from "@capstan/api";
import { canonicalJson } from "../canonical-json.js";

export const CONFIG_SOURCE_ANNOTATION = "kubernetes.io/config.source";
export const CONFIG_HASH_ANNOTATION = "kubernetes.io/config.hash";

export interface StaticPod {
  /** The config hash: the pod's uid on this node, and its mirror's `kubernetes.io/config.mirror`. */
  uid: string;
  namespace: string;
  name: string;
  file: string;
  /** Defaulted Kubernetes JSON, with uid, node and config annotations set. */
  json: JsonObject;
  pod: Pod;
}

/** Every static pod in `dir` (files starting with "." are ignored, as the kubelet does); a bad document is reported and skipped. */
export function readStaticPods(dir: string, nodeName: string, report: (file: string, error: string) => void): StaticPod[] {
  let names: string[];
  try {
    names = readdirSync(dir).sort();
  } catch (e) {
    report(dir, errorMessage(e));
    return [];
  }
  const pods: StaticPod[] = [];
  for (const name of names) {
    if (name.startsWith(".")) continue;
    const file = join(dir, name);
    try {
      if (!statSync(file).isFile()) continue;
      pods.push(...staticPodsFrom(readFileSync(file, "utf8"), file, nodeName));
    } catch (e) {
      report(file, errorMessage(e));
    }
  }
  return pods;
}

/** The pods of one manifest file; throws on a document that is not a valid Pod, so one bad file never half-applies. */
export function staticPodsFrom(text: string, file: string, nodeName: string): StaticPod[] {
  const docs = parseAllDocuments(text);
  const pods: StaticPod[] = [];
  for (const doc of docs) {
    if (doc.errors.length > 0) throw new Error(doc.errors.map((e) => e.message).join("; "));
    const written: unknown = doc.toJSON();
    if (written === null || written === undefined) continue;
    pods.push(staticPodOf(written, file, nodeName));
  }
  return pods;
}

function staticPodOf(written: unknown, file: string, nodeName: string): StaticPod {
  const decoded = decodeManifest(written);
  if (decoded.kind !== "Pod") throw new Error(`kind ${decoded.kind}: a static pod manifest holds Pods only`);
  const meta = (decoded.json["metadata"] ?? {}) as JsonObject;
  const spec = (decoded.json["spec"] ?? {}) as JsonObject;
  const namespace = typeof meta["namespace"] === "string" && meta["namespace"] !== "" ? meta["namespace"] : "default";
  const name = `${String(meta["name"] ?? "")}-${nodeName}`;
  const bound = { ...decoded.json, metadata: { ...meta, name, namespace }, spec: { ...spec, nodeName } };
  // As the kubelet's applyDefaults: the hash covers what the file says, for this node.
  const uid = createHash("md5").update(canonicalJson(bound)).digest("hex");
  const annotations = { ...((meta["annotations"] as Record<string, string> | undefined) ?? {}), [CONFIG_HASH_ANNOTATION]: uid, [CONFIG_SOURCE_ANNOTATION]: "file" };
  const json = applyDefaults("Pod", { ...bound, metadata: { ...bound.metadata, uid, annotations } });
  const errors = validateObject("Pod", json);
  if (errors.length > 0) throw new Error(`Pod "${name}" is invalid: ${errors.map((e) => `${e.path}: ${e.message}`).join(", ")}`);
  return { uid, namespace, name, file, json, pod: Pod.fromJSON(json) };
}

/** Whether a pod the API holds mirrors a static pod (the node agent runs the static pod, not it). */
export function isMirrorPod(pod: JsonObject): boolean {
  return metaOf(pod).annotations[MIRROR_POD_ANNOTATION] !== undefined;
}

function errorMessage(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
