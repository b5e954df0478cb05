/**
 * What ConfigMaps and Secrets share: the rule their keys follow (a key becomes a file name when the
 * object is mounted) and the limit on how much data one holds (Kubernetes' IsConfigMapKey, MaxSecretSize).
 */
import { DNS1123_SUBDOMAIN_MAX_LENGTH, field, maxLenError, regexError, type FieldError } from "@capstan/apimachinery";

/** core.MaxSecretSize: the bytes of all values of one ConfigMap or Secret together. */
export const MAX_DATA_BYTES = 1024 * 1024;

const configMapKeyFmt = "[-._a-zA-Z0-9]+";
const configMapKeyErrMsg = "a valid config key must consist of alphanumeric characters, '-', '_' or '.'";
const configMapKeyRegexp = new RegExp(`^${configMapKeyFmt}$`);

/** IsConfigMapKey: the rules a key breaks, in Kubernetes' words; empty when it is valid. */
export function validateConfigMapKey(key: string): string[] {
  const errs: string[] = [];
  if (key.length > DNS1123_SUBDOMAIN_MAX_LENGTH) errs.push(maxLenError(DNS1123_SUBDOMAIN_MAX_LENGTH));
  if (!configMapKeyRegexp.test(key)) errs.push(regexError(configMapKeyErrMsg, configMapKeyFmt, "key.name", "KEY_NAME", "key-name"));
  // A key is a file name in a mounted volume: it may not climb out of it.
  if (key === ".") errs.push("must not be '.'");
  else if (key === "..") errs.push("must not be '..'");
  else if (key.startsWith("..")) errs.push("must not start with '..'");
  return errs;
}

/** Each key of a data map, checked at `path[key]`. */
export function validateDataKeys(path: string, keys: Iterable<string>): FieldError[] {
  const errs: FieldError[] = [];
  for (const key of keys) for (const msg of validateConfigMapKey(key)) errs.push(field.invalid(field.key(path, key), key, msg));
  return errs;
}

/** The size of a value as Kubernetes counts it: its bytes (UTF-8 for a string). */
export function valueBytes(value: string | Uint8Array): number {
  return typeof value === "string" ? Buffer.byteLength(value, "utf8") : value.byteLength;
}

/** The error for data over MAX_DATA_BYTES, at `path`; none when it fits. */
export function dataTooLong(path: string, totalBytes: number): FieldError[] {
  return totalBytes > MAX_DATA_BYTES ? [field.tooLong(path, `must have at most ${MAX_DATA_BYTES} bytes`)] : [];
}

/** Whether two maps of values hold the same keys with the same bytes. */
export function sameValues(a: Readonly<Record<string, string | Uint8Array>>, b: Readonly<Record<string, string | Uint8Array>>): boolean {
  const keys = Object.keys(a);
  if (keys.length !== Object.keys(b).length) return false;
  return keys.every((k) => {
    const x = a[k];
    const y = b[k];
    if (x === undefined || y === undefined) return false;
    if (typeof x === "string" || typeof y === "string") return x === y;
    return Buffer.from(x.buffer, x.byteOffset, x.byteLength).equals(y);
  });
}

/** Forbidden: `field is immutable when `immutable` is set`, at `path`. */
export function immutableWhenSet(path: string): FieldError {
  return field.forbidden(path, "field is immutable when `immutable` is set");
}
