/**
 * Constructors for FieldError in Kubernetes' wording (k8s.io/apimachinery/pkg/util/validation/field):
 * every message names the rule, and the path names the field. Exported as the `field` namespace, so a
 * call reads `field.required("metadata.name")`.
 */
import type { FieldError } from "./errors.js";

/** A value as it appears in a message: strings quoted, everything else as JSON. */
export function formatValue(value: unknown): string {
  if (typeof value === "string") return JSON.stringify(value);
  if (typeof value === "number" || typeof value === "boolean" || typeof value === "bigint") return String(value);
  if (value === undefined) return "undefined";
  return JSON.stringify(value) ?? String(value);
}

export function required(path: string, detail?: string): FieldError {
  return { path, message: detail ? `Required value: ${detail}` : "Required value" };
}

export function invalid(path: string, value: unknown, detail: string): FieldError {
  return { path, message: detail ? `Invalid value ${formatValue(value)}: ${detail}` : `Invalid value ${formatValue(value)}` };
}

export function notSupported(path: string, value: unknown, supported: readonly string[]): FieldError {
  const values = supported.map((v) => JSON.stringify(v)).join(", ");
  return { path, message: `Unsupported value ${formatValue(value)}: supported values: ${values}` };
}

export function duplicate(path: string, value: unknown): FieldError {
  return { path, message: `Duplicate value: ${formatValue(value)}` };
}

export function notFound(path: string, value: unknown): FieldError {
  return { path, message: `Not found: ${formatValue(value)}` };
}

export function forbidden(path: string, detail: string): FieldError {
  return { path, message: `Forbidden: ${detail}` };
}

export function tooLong(path: string, detail: string): FieldError {
  return { path, message: `Too long: ${detail}` };
}

/** `child("", "spec")` is `spec`; `child("spec", "containers")` is `spec.containers`. */
export function child(path: string, name: string): string {
  return path === "" ? name : `${path}.${name}`;
}

export function index(path: string, i: number): string {
  return `${path}[${i}]`;
}

export function key(path: string, k: string): string {
  return `${path}[${k}]`;
}
