/**
 * Kubernetes' strategic merge patch as the apiserver applies it (k8s.io/apimachinery/pkg/util/strategicpatch,
 * StrategicMergeMapPatch): what `kubectl apply` (client-side), `kubectl patch` and `kubectl set
 * image|label|annotate` send. Maps merge recursively and `null` deletes a key; a list merges by its
 * patchMergeKey when its field is tagged `patchStrategy:"merge"` (patch-meta.ts) and is replaced otherwise;
 * the directives `$patch`, `$retainKeys`, `$deleteFromPrimitiveList/<field>` and `$setElementOrder/<field>`
 * follow upstream, including its ordering rules. The structure follows upstream's mergeMap / mergeSlice so
 * the two can be read side by side.
 */
import { InvalidError, field, type FieldError, type JsonObject } from "@capstan/apimachinery";
import { isSupportedKind, unsupportedKindError } from "../kinds.js";
import { PATCH_META_BY_KIND, fieldPatchMeta, patchMetaOfType, type FieldPatchMeta, type TypePatchMeta } from "./patch-meta.js";
import { forbiddenKeyError } from "./forbidden-key.js";

const DIRECTIVE = "$patch";
const RETAIN_KEYS = "$retainKeys";
const DELETE_FROM_PRIMITIVE_LIST = "$deleteFromPrimitiveList";
const SET_ELEMENT_ORDER = "$setElementOrder";

/**
 * `original` with `patch` applied, for an object of `kind`. Neither argument is modified. A malformed
 * patch (a list element without its merge key, an unknown `$patch`, a `$retainKeys` list that misses a
 * patched field, …) throws InvalidError naming the field and the rule.
 */
export function strategicMergePatch(original: JsonObject, patch: JsonObject, kind: string): JsonObject {
  if (!isSupportedKind(kind)) throw new InvalidError("patch", [unsupportedKindError(kind)]);
  return mergeMap(structuredClone(original), structuredClone(patch), PATCH_META_BY_KIND[kind], "");
}

function fail(fieldError: FieldError): never {
  throw new InvalidError("patch", [fieldError]);
}

type Json = unknown;
type JsonList = Json[];
type ValueKind = "map" | "list" | "scalar" | "null";

function kindOf(v: Json): ValueKind {
  if (v === null) return "null";
  if (Array.isArray(v)) return "list";
  return typeof v === "object" ? "map" : "scalar";
}

function isMap(v: Json): v is JsonObject {
  return kindOf(v) === "map";
}

/** Merges `patch` into `original` in place (both are private copies) and returns the result. */
function mergeMap(original: JsonObject, patch: JsonObject, fields: TypePatchMeta | undefined, path: string): JsonObject {
  if (Object.hasOwn(patch, DIRECTIVE)) return mapDirective(patch, path);
  applyRetainKeys(original, patch, path);
  applySetElementOrder(original, patch, fields, path);

  for (const [patchKey, patchValue] of Object.entries(patch)) {
    const isDeleteList = patchKey.startsWith(DELETE_FROM_PRIMITIVE_LIST);
    const key = isDeleteList ? directiveTarget(patchKey, DELETE_FROM_PRIMITIVE_LIST, path) : patchKey;
    const at = field.child(path, key);
    const forbidden = forbiddenKeyError(key, at);
    if (forbidden) fail(forbidden);
    if (patchValue === null) {
      delete original[key];
      continue;
    }
    if (!Object.hasOwn(original, key) || kindOf(original[key]) !== kindOf(patchValue)) {
      // A deletion list has nothing to delete from; anything else is taken as the patch says.
      if (!isDeleteList) setValue(original, key, withoutNulls(patchValue));
      continue;
    }
    const meta = fieldPatchMeta(fields, key);
    const current = original[key];
    if (isMap(current) && isMap(patchValue)) {
      original[key] = mergeMap(current, patchValue, patchMetaOfType(meta?.type), at);
    } else if (Array.isArray(current) && Array.isArray(patchValue)) {
      original[key] = mergeListField(current, patchValue, meta, isDeleteList, at);
    } else {
      original[key] = patchValue;
    }
  }
  return original;
}

/** A map carrying `$patch`: `replace` stands for the map as given, `delete` empties it. */
function mapDirective(patch: JsonObject, path: string): JsonObject {
  const directive = patch[DIRECTIVE];
  if (directive === "replace") {
    delete patch[DIRECTIVE];
    return patch;
  }
  if (directive === "delete") return {};
  return fail(field.notSupported(field.child(path, DIRECTIVE), directive, ["replace", "delete"]));
}

/** `$retainKeys`: clear the keys of `original` the list leaves out; the patch may set only listed keys. */
function applyRetainKeys(original: JsonObject, patch: JsonObject, path: string): void {
  if (!Object.hasOwn(patch, RETAIN_KEYS)) return;
  const retain = patch[RETAIN_KEYS];
  delete patch[RETAIN_KEYS];
  const at = field.child(path, RETAIN_KEYS);
  if (!Array.isArray(retain)) fail(field.invalid(at, retain, "invalid patch format of retainKeys: must be a list"));
  const kept = new Set(retain);
  for (const [key, value] of Object.entries(patch)) {
    if (value === null || key.startsWith(DELETE_FROM_PRIMITIVE_LIST) || key.startsWith(SET_ELEMENT_ORDER)) continue;
    if (!kept.has(key)) fail(field.invalid(at, retain, `patch content doesn't match retainKeys list: ${JSON.stringify(key)} is not in it`));
  }
  for (const key of Object.keys(original)) if (!kept.has(key)) delete original[key];
}

/**
 * `$setElementOrder/<field>` (upstream's mergePatchIntoOriginal): merge that field's list now and order
 * the result: the directive's order first, then the patch's, then the live list's for server-only items.
 */
function applySetElementOrder(original: JsonObject, patch: JsonObject, fields: TypePatchMeta | undefined, path: string): void {
  for (const [patchKey, order] of Object.entries(patch)) {
    if (!patchKey.startsWith(SET_ELEMENT_ORDER)) continue;
    delete patch[patchKey];
    const at = field.child(path, patchKey);
    if (!Array.isArray(order)) fail(field.invalid(at, order, "invalid patch format of setElementOrder list: must be a list"));
    const key = directiveTarget(patchKey, SET_ELEMENT_ORDER, path);
    const originalList = listAt(original, key, path);
    const patchList = listAt(patch, key, path);
    const meta = fieldPatchMeta(fields, key);
    const mergeKey = meta?.patchMergeKey ?? "";
    if (patchList !== undefined) checkSetElementOrder(patchList, order, mergeKey, at);

    let merged: JsonList;
    if (originalList !== undefined && patchList !== undefined) merged = mergeListField(originalList, patchList, meta, false, field.child(path, key));
    else if (patchList !== undefined) merged = removeDirectivesFromList(patchList);
    else if (originalList !== undefined) merged = originalList;
    else continue;

    const [inOrder, serverOnly] = partitionByPresence(merged, order, mergeKey, at);
    const elementKind = listElementKind([...(originalList ?? []), ...(patchList ?? [])], at) ?? "scalar";
    original[key] = normalizeElementOrder(inOrder, serverOnly, order, originalList ?? [], mergeKey, elementKind, at);
    delete patch[key];
  }
}

/** The field a `$deleteFromPrimitiveList/<field>` or `$setElementOrder/<field>` key is about. */
function directiveTarget(patchKey: string, prefix: string, path: string): string {
  const slash = patchKey.indexOf("/");
  if (slash < 0 || patchKey.slice(0, slash) !== prefix) {
    const format = prefix === SET_ELEMENT_ORDER ? "setElementOrder list" : "primitive list";
    fail(field.invalid(field.child(path, patchKey), patchKey, `invalid patch format of ${format}: must be ${prefix}/<field>`));
  }
  return patchKey.slice(slash + 1);
}

function listAt(map: JsonObject, key: string, path: string): JsonList | undefined {
  if (!Object.hasOwn(map, key)) return undefined;
  const value = map[key];
  if (!Array.isArray(value)) fail(field.invalid(field.child(path, key), value, "must be a list, as its $setElementOrder directive says"));
  return value;
}

/** The patch's items (deletions aside) must appear in `order`, in the same relative order. */
function checkSetElementOrder(patchList: JsonList, order: JsonList, mergeKey: string, at: string): void {
  let o = 0;
  for (const item of patchList) {
    if (isMap(item) && Object.hasOwn(item, DIRECTIVE)) continue;
    while (o < order.length && !sameItem(item, order[o], mergeKey, at)) o++;
    if (o === order.length) fail(field.invalid(at, order, "the order in the patch list doesn't match the $setElementOrder list"));
    o++;
  }
}

/** A list field: merged by key when tagged `merge` (or when it is a deletion list), else replaced. */
function mergeListField(original: JsonList, patch: JsonList, meta: FieldPatchMeta | undefined, isDeleteList: boolean, path: string): JsonList {
  const isMergeList = meta?.patchStrategy === "merge" || meta?.patchStrategy === "merge,retainKeys";
  if (!isMergeList && !isDeleteList) return patch;
  return mergeList(original, patch, patchMetaOfType(meta?.type), meta?.patchMergeKey ?? "", isDeleteList, path);
}

function mergeList(original: JsonList, patch: JsonList, fields: TypePatchMeta | undefined, mergeKey: string, isDeleteList: boolean, path: string): JsonList {
  if (original.length === 0 && patch.length === 0) return original;
  const elementKind = listElementKind([...original, ...patch], path) ?? "scalar";

  if (elementKind !== "map") {
    if (isDeleteList) return original.filter((v) => !patch.includes(v));
    const merged = [...new Set([...original, ...patch])];
    const [inPatch, serverOnly] = partitionByPresence(merged, patch, "", path);
    return normalizeElementOrder(inPatch, serverOnly, patch, original, "", elementKind, path);
  }

  if (mergeKey === "") fail(field.invalid(path, patch, "cannot merge lists without merge key"));
  const special = applySpecialElements(original, patch, mergeKey, path);
  const merged = [...special.original];
  for (const item of special.patch) {
    const entry = item as JsonObject;
    const index = merged.findIndex((o) => (o as JsonObject)[mergeKey] === entry[mergeKey]);
    if (index < 0) merged.push(item);
    else merged[index] = mergeMap(merged[index] as JsonObject, entry, fields, field.index(path, index));
  }
  const [inPatch, serverOnly] = partitionByPresence(merged, special.patch, mergeKey, path);
  return normalizeElementOrder(inPatch, serverOnly, special.patch, special.original, mergeKey, elementKind, path);
}

/**
 * Elements carrying `$patch` in a merging list of maps: `delete` removes the original's entries with that
 * key, `replace` makes the list exactly the patch's other elements.
 */
function applySpecialElements(original: JsonList, patch: JsonList, mergeKey: string, path: string): { original: JsonList; patch: JsonList } {
  const plain: JsonList = [];
  let replace = false;
  patch.forEach((item, i) => {
    const entry = item as JsonObject;
    const at = field.index(path, i);
    const directive = entry[DIRECTIVE];
    if (!Object.hasOwn(entry, DIRECTIVE)) {
      requireMergeKey(entry, mergeKey, at);
      plain.push(item);
    } else if (directive === "delete") {
      requireMergeKey(entry, mergeKey, at);
      original = original.filter((o) => (o as JsonObject)[mergeKey] !== entry[mergeKey]);
    } else if (directive === "replace") {
      replace = true;
    } else if (directive === "merge") {
      fail(field.invalid(field.child(at, DIRECTIVE), directive, "merging lists cannot yet be specified in the patch"));
    } else {
      fail(field.notSupported(field.child(at, DIRECTIVE), directive, ["replace", "delete"]));
    }
  });
  return replace ? { original: plain, patch: [] } : { original, patch: plain };
}

function requireMergeKey(item: Json, mergeKey: string, path: string): asserts item is JsonObject {
  if (!isMap(item) || !Object.hasOwn(item, mergeKey)) fail(field.invalid(path, item, `does not contain declared merge key: ${mergeKey}`));
}

/** The one kind of all elements (lists of lists and mixed lists are refused), or undefined if empty. */
function listElementKind(items: JsonList, path: string): ValueKind | undefined {
  let kind: ValueKind | undefined;
  let scalarType: string | undefined;
  for (const item of items) {
    const k = kindOf(item);
    if (k === "list") fail(field.invalid(path, items, "lists of lists are not supported"));
    const t = k === "scalar" ? typeof item : k;
    if (kind !== undefined && t !== scalarType) fail(field.invalid(path, items, "list element types are not identical"));
    kind = k;
    scalarType = t;
  }
  return kind;
}

function sameItem(a: Json, b: Json, mergeKey: string, path: string): boolean {
  if (mergeKey === "") return a === b;
  requireMergeKey(a, mergeKey, path);
  requireMergeKey(b, mergeKey, path);
  return a[mergeKey] === b[mergeKey];
}

/** Splits `items` into those `by` also holds (by merge key for maps) and the rest, keeping their order. */
function partitionByPresence(items: JsonList, by: JsonList, mergeKey: string, path: string): [JsonList, JsonList] {
  const present: JsonList = [];
  const absent: JsonList = [];
  for (const item of items) (by.some((b) => sameItem(item, b, mergeKey, path)) ? present : absent).push(item);
  return [present, absent];
}

/** Position of `item` in `order` (by merge key for maps), -1 if absent. */
function positionIn(order: JsonList, item: Json, mergeKey: string, elementKind: ValueKind): number {
  if (elementKind !== "map") return order.indexOf(item);
  const key = (item as JsonObject)[mergeKey];
  return order.findIndex((o) => isMap(o) && o[mergeKey] === key);
}

/**
 * Sorts the patch's items by `patchOrder` and the server-only items by the live list, then interleaves
 * them (upstream's normalizeElementOrder + mergeSortedSlice): both relative orders hold, and a server-only
 * item goes before the first patch item that follows it in the live list.
 */
function normalizeElementOrder(
  patchItems: JsonList,
  serverOnly: JsonList,
  patchOrder: JsonList,
  serverOrder: JsonList,
  mergeKey: string,
  elementKind: ValueKind,
  path: string,
): JsonList {
  const right = sortByOrder(patchItems, patchOrder, mergeKey, elementKind, path);
  const left = sortByOrder(serverOnly, serverOrder, mergeKey, elementKind, path);
  const result: JsonList = [];
  let i = 0;
  let j = 0;
  while (i < left.length || j < right.length) {
    if (j >= right.length) result.push(left[i++]);
    else if (i >= left.length) result.push(right[j++]);
    else {
      const li = positionIn(serverOrder, left[i], mergeKey, elementKind);
      const ri = positionIn(serverOrder, right[j], mergeKey, elementKind);
      if (li >= 0 && ri >= 0 && li < ri) result.push(left[i++]);
      else result.push(right[j++]);
    }
  }
  return result;
}

/** Stable sort by position in `order`; `$patch: delete` elements go last, as upstream keeps them. */
function sortByOrder(items: JsonList, order: JsonList, mergeKey: string, elementKind: ValueKind, path: string): JsonList {
  let kept = items;
  let deletions: JsonList = [];
  if (elementKind === "map") {
    for (const item of [...items, ...order]) requireMergeKey(item, mergeKey, path);
    kept = items.filter((item) => (item as JsonObject)[DIRECTIVE] !== "delete");
    deletions = items.filter((item) => (item as JsonObject)[DIRECTIVE] === "delete");
  }
  const rank = (item: Json): number => {
    const p = positionIn(order, item, mergeKey, elementKind);
    return p < 0 ? Number.MAX_SAFE_INTEGER : p;
  };
  return [...kept.map((item, i) => ({ item, i, r: rank(item) })).sort((a, b) => a.r - b.r || a.i - b.i).map((e) => e.item), ...deletions];
}

/** Sets a value taken from the patch, minus its `$patch` maps (upstream's removeDirectives). */
function setValue(target: JsonObject, key: string, value: Json): void {
  if (isMap(value) && Object.hasOwn(value, DIRECTIVE)) delete target[key];
  else target[key] = removeDirectives(value);
}

function removeDirectives(value: Json): Json {
  if (Array.isArray(value)) return removeDirectivesFromList(value);
  if (!isMap(value)) return value;
  for (const [k, v] of Object.entries(value)) setValue(value, k, v);
  return value;
}

function removeDirectivesFromList(list: JsonList): JsonList {
  return list.filter((v) => !(isMap(v) && Object.hasOwn(v, DIRECTIVE))).map(removeDirectives);
}

/** A value new to the object keeps no `null` keys: null means "delete", and there is nothing to delete. */
function withoutNulls(value: Json): Json {
  if (Array.isArray(value)) return value.map(withoutNulls);
  if (!isMap(value)) return value;
  for (const [k, v] of Object.entries(value)) {
    if (v === null) delete value[k];
    else withoutNulls(v);
  }
  return value;
}
