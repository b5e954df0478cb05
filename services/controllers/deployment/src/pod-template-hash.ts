import { createHash } from "node:crypto";
import { metaOf, type JsonObject } from "@capstan/api";

export const POD_TEMPLATE_HASH = "pod-template-hash";

/** JSON with sorted keys, so equal templates give equal text whatever order their fields came in. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(",")}]`;
  if (value && typeof value === "object") {
    const entries = Object.entries(value).filter(([, v]) => v !== undefined);
    return `{${entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([k, v]) => `${JSON.stringify(k)}:${canonical(v)}`).join(",")}}`;
  }
  return JSON.stringify(value);
}

/** The template without the hash label its ReplicaSet adds: what "same template" compares. */
export function withoutHashLabel(template: JsonObject): JsonObject {
  const metadata = metaOf(template);
  const { [POD_TEMPLATE_HASH]: _hash, ...labels } = metadata.labels;
  return { ...template, metadata: { ...metadata.json, labels } };
}

export function sameTemplate(a: JsonObject, b: JsonObject): boolean {
  return canonical(withoutHashLabel(a)) === canonical(withoutHashLabel(b));
}

// Consonants and digits that spell no words, as Kubernetes' rand.SafeEncodeString.
const SAFE = "bcdfghjklmnpqrstvwxz2456789";

/** The pod-template-hash: short, stable for a template, changed by collisionCount when names collide. */
export function podTemplateHash(template: Record<string, unknown>, collisionCount = 0): string {
  const digest = createHash("sha256").update(canonical(withoutHashLabel(template))).update(String(collisionCount)).digest();
  return Array.from(digest.subarray(0, 10), (byte) => SAFE[byte % SAFE.length]).join("");
}
