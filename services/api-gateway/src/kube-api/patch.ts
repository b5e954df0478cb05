/**
 * PATCH bodies by content type: JSON merge patch (RFC 7386), JSON patch (RFC 6902), and strategic merge
 * patch (@capstan/api's, with the kinds' merge keys). Apply patches are the registry's server-side apply
 * (isApplyPatch), not a patch of the object as read.
 */
import { forbiddenKeyError, strategicMergePatch } from "@capstan/api";
import { InvalidError, field, type JsonObject } from "@capstan/apimachinery";
import jsonPatch from "fast-json-patch";
import { APPLY_PATCH } from "./request.js";
import { badRequest, unsupportedMediaType } from "./status.js";

/** A patch applied to the object as read; `kind` is for patch types that know a kind's merge keys. */
type Patcher = (original: JsonObject, patch: unknown, kind: string) => JsonObject;

/** One line per patch type the server understands. */
const patchers: Readonly<Record<string, Patcher>> = {
  "application/merge-patch+json": (original, patch) => asObject(mergePatch(original, patch)),
  "application/json-patch+json": jsonPatchOf,
  "application/strategic-merge-patch+json": (original, patch, kind) => strategicMergePatch(original, patchObject(patch), kind),
};

/** The patched object; throws 415 for a patch type not served, 400 for a patch that does not apply. */
export function applyPatch(contentType: string, original: JsonObject, patch: unknown, kind: string): JsonObject {
  const patcher = patchers[mediaType(contentType)];
  if (!patcher) throw unsupportedMediaType(contentType, [...Object.keys(patchers), APPLY_PATCH]);
  return patcher(original, patch, kind);
}

export function isApplyPatch(contentType: string): boolean {
  return mediaType(contentType) === APPLY_PATCH;
}

/** Whether the patch itself names a resourceVersion: then a conflict is the caller's, never retried. */
export function patchNamesResourceVersion(contentType: string, patch: unknown): boolean {
  if (mediaType(contentType) === "application/json-patch+json") {
    return Array.isArray(patch) && patch.some((op) => typeof op === "object" && op !== null && String((op as { path?: unknown }).path).startsWith("/metadata/resourceVersion"));
  }
  const metadata = isObject(patch) ? patch["metadata"] : undefined;
  return isObject(metadata) && metadata["resourceVersion"] !== undefined && metadata["resourceVersion"] !== null;
}

function mediaType(contentType: string): string {
  return contentType.split(";")[0]!.trim().toLowerCase();
}

/** RFC 7386: objects merge key by key, null removes, anything else replaces. */
export function mergePatch(target: unknown, patch: unknown, at = ""): unknown {
  if (!isObject(patch)) return patch;
  const result: Record<string, unknown> = isObject(target) ? { ...target } : {};
  for (const [key, value] of Object.entries(patch)) {
    const path = field.child(at, key);
    const forbidden = forbiddenKeyError(key, path);
    if (forbidden) throw new InvalidError("patch", [forbidden]);
    if (value === null) delete result[key];
    else result[key] = mergePatch(result[key], value, path);
  }
  return result;
}

function jsonPatchOf(original: JsonObject, patch: unknown): JsonObject {
  if (!Array.isArray(patch)) throw badRequest("the JSON patch must be an array of operations");
  try {
    // Each operation validated, applied to a copy (mutateDocument false): a failed `test` leaves nothing half-done.
    return asObject(jsonPatch.applyPatch(original, patch as jsonPatch.Operation[], true, false).newDocument);
  } catch (e) {
    throw badRequest(`the JSON patch could not be applied: ${e instanceof Error ? e.message.split("\n")[0] : String(e)}`);
  }
}

function patchObject(patch: unknown): JsonObject {
  if (!isObject(patch)) throw badRequest("the strategic merge patch must be a JSON object");
  return patch;
}

function asObject(value: unknown): JsonObject {
  if (!isObject(value)) throw badRequest("the patched object must be a JSON object");
  return value;
}

function isObject(v: unknown): v is JsonObject {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}
