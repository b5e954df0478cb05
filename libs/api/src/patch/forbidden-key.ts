import { field, type FieldError } from "@capstan/apimachinery";

/**
 * The error for a key no patch may set: assigning "__proto__" would replace an object's prototype
 * instead of setting a field, and no Kubernetes object has such a field. Undefined for any other key.
 */
export function forbiddenKeyError(key: string, at: string): FieldError | undefined {
  return key === "__proto__" ? field.forbidden(at, "not a field of any Kubernetes object") : undefined;
}
