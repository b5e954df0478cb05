import { createHash } from "node:crypto";
import { metaOf, type JsonObject } from "@capstan/api";
import { canonicalJson, SAFE_ENCODE_ALPHABET } from "@capstan/controller-runtime";

export const POD_TEMPLATE_HASH = "pod-template-hash";

/** The template without the hash label its ReplicaSet adds: what "same template" compares. */
export function withoutHashLabel(template: JsonObject): JsonObject {
  const metadata = metaOf(template);
  const { [POD_TEMPLATE_HASH]: _hash, ...labels } = metadata.labels;
  return { ...template, metadata: { ...metadata.json, labels } };
}

export function sameTemplate(a: JsonObject, b: JsonObject): boolean {
  return canonicalJson(withoutHashLabel(a)) === canonicalJson(withoutHashLabel(b));
}

/** The pod-template-hash: short, stable for a template, changed by collisionCount when names collide. */
export function podTemplateHash(template: Record<string, unknown>, collisionCount = 0): string {
  const digest = createHash("sha256").update(canonicalJson(withoutHashLabel(template))).update(String(collisionCount)).digest();
  return Array.from(digest.subarray(0, 10), (byte) => SAFE_ENCODE_ALPHABET[byte % SAFE_ENCODE_ALPHABET.length]).join("");
}
