/**
 * Annotations: keys are qualified names (case-insensitive), and all keys and values together are at
 * most 256 KiB, as in Kubernetes' ValidateAnnotations.
 */
import type { FieldError } from "./errors.js";
import { invalid, tooLong } from "./field-errors.js";
import { validateQualifiedName } from "./labels.js";

export const TOTAL_ANNOTATION_SIZE_LIMIT_BYTES = 256 * 1024;

export function annotationsSize(annotations: Readonly<Record<string, string>>): number {
  let size = 0;
  for (const [k, v] of Object.entries(annotations)) size += Buffer.byteLength(k) + Buffer.byteLength(v);
  return size;
}

export function validateAnnotations(annotations: Readonly<Record<string, string>> | undefined, path: string): FieldError[] {
  if (!annotations) return [];
  const errs: FieldError[] = [];
  for (const k of Object.keys(annotations)) {
    for (const msg of validateQualifiedName(k.toLowerCase())) errs.push(invalid(path, k, msg));
  }
  if (annotationsSize(annotations) > TOTAL_ANNOTATION_SIZE_LIMIT_BYTES) {
    errs.push(tooLong(path, `may not be more than ${TOTAL_ANNOTATION_SIZE_LIMIT_BYTES} bytes`));
  }
  return errs;
}
