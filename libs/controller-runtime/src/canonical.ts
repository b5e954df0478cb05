/** What the template hashes are computed over and spelled in (the pod-template-hash, ControllerRevision hashes). */

/** Consonants and digits that spell no words (Kubernetes' rand.SafeEncodeString). */
export const SAFE_ENCODE_ALPHABET = "bcdfghjklmnpqrstvwxz2456789";

/** JSON with sorted keys, so equal data gives equal text whatever order its fields came in. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`;
  if (value && typeof value === "object") {
    const entries = Object.entries(value).filter(([, v]) => v !== undefined);
    return `{${entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(",")}}`;
  }
  return JSON.stringify(value);
}
