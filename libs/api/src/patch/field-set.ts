/**
 * Sets of field paths, as server-side apply tracks ownership (sigs.k8s.io/structured-merge-diff fieldpath):
 * a path is a list of FieldsV1 elements — `f:<field>`, `k:<key fields as JSON>` for an item of a map-type
 * list, `v:<value as JSON>` for an item of a set. A set encodes to and decodes from the FieldsV1 tree that
 * metadata.managedFields stores, and a path prints as the apiserver prints it in a conflict
 * (`.spec.containers[name="web"].image`).
 */
import { isDeepStrictEqual } from "node:util";
import type { JsonObject } from "@capstan/apimachinery";
import { fieldPatchMeta, listTypeOf, patchMetaOfType, type FieldPatchMeta, type TypePatchMeta } from "./patch-meta.js";

export type FieldPath = readonly string[];

/** A set of paths; keyed by the path's JSON so equal paths are one member. */
export class FieldSet {
  readonly #paths = new Map<string, FieldPath>();

  constructor(paths: Iterable<FieldPath> = []) {
    for (const path of paths) this.add(path);
  }

  add(path: FieldPath): void {
    this.#paths.set(JSON.stringify(path), path);
  }

  delete(path: FieldPath): void {
    this.#paths.delete(JSON.stringify(path));
  }

  has(path: FieldPath): boolean {
    return this.#paths.has(JSON.stringify(path));
  }

  /** Whether a member lies strictly below `path`. */
  hasBelow(path: FieldPath): boolean {
    return [...this.#paths.values()].some((p) => p.length > path.length && path.every((e, i) => p[i] === e));
  }

  get size(): number {
    return this.#paths.size;
  }

  [Symbol.iterator](): IterableIterator<FieldPath> {
    return this.#paths.values();
  }
}

/** Fields the apiserver never records an owner for (its stripMetaManager), besides status on the main resource. */
const UNOWNED_TOP = new Set(["apiVersion", "kind", "status"]);
const UNOWNED_METADATA = new Set(["name", "namespace", "creationTimestamp", "selfLink", "uid", "generation", "managedFields", "resourceVersion"]);

function isMap(v: unknown): v is JsonObject {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/**
 * The paths `object` sets, walking the kind's patch metadata for list and map types: those of the object
 * itself, or (scope "status", the status subresource's) those of its status.
 */
export function fieldSetOf(object: JsonObject, fields: TypePatchMeta, scope: "object" | "status" = "object"): FieldSet {
  const set = new FieldSet();
  if (scope === "status") {
    if (object["status"] !== undefined) collect({ status: object["status"] }, fields, [], set);
    return set;
  }
  for (const [name, value] of Object.entries(object)) {
    if (UNOWNED_TOP.has(name)) continue;
    if (name === "metadata" && isMap(value)) {
      const owned = Object.fromEntries(Object.entries(value).filter(([k]) => !UNOWNED_METADATA.has(k)));
      collect(owned, patchMetaOfType(fieldPatchMeta(fields, name)?.type), [`f:${name}`], set);
    } else {
      collect({ [name]: value }, fields, [], set);
    }
  }
  return set;
}

function collect(map: JsonObject, fields: TypePatchMeta | undefined, prefix: FieldPath, set: FieldSet): void {
  for (const [name, value] of Object.entries(map)) {
    if (value === null || value === undefined) continue;
    const meta = fieldPatchMeta(fields, name);
    const path = [...prefix, `f:${name}`];
    if (Array.isArray(value)) {
      const { listType } = listTypeOf(meta);
      if (listType === "atomic") set.add(path);
      else if (listType === "set") for (const item of value) set.add([...path, valueElement(item)]);
      else {
        for (const item of value) {
          if (!isMap(item)) continue;
          const itemPath = [...path, keyElement(item, meta)];
          set.add(itemPath);
          collect(item, patchMetaOfType(meta?.type), itemPath, set);
        }
      }
    } else if (isMap(value) && meta?.mapType !== "atomic" && Object.keys(value).length > 0) {
      collect(value, patchMetaOfType(meta?.type), path, set);
    } else {
      set.add(path);
    }
  }
}

/**
 * `k:{"name":"web"}`: the item's key fields, a left-out key by its default, sorted by name as
 * structured-merge-diff writes them.
 */
export function keyElement(item: JsonObject, meta: FieldPatchMeta | undefined): string {
  const defaults = meta?.listMapKeyDefaults ?? {};
  const key: [string, unknown][] = [];
  for (const k of [...listTypeOf(meta).keys].sort()) {
    const value = Object.hasOwn(item, k) ? item[k] : defaults[k];
    if (value !== undefined) key.push([k, value]);
  }
  return `k:${JSON.stringify(Object.fromEntries(key))}`;
}

export function valueElement(item: unknown): string {
  return `v:${JSON.stringify(item)}`;
}

/** The FieldsV1 tree: `{}` for a leaf, `".": {}` where a member also has members below it. */
export function toFieldsV1(set: FieldSet): JsonObject {
  type Node = { member: boolean; children: Map<string, Node> };
  const root: Node = { member: false, children: new Map() };
  for (const path of set) {
    let node = root;
    for (const element of path) {
      let next = node.children.get(element);
      if (next === undefined) node.children.set(element, (next = { member: false, children: new Map() }));
      node = next;
    }
    node.member = true;
  }
  const encode = (node: Node): JsonObject => {
    const out: JsonObject = node.member && node.children.size > 0 ? { ".": {} } : {};
    for (const key of [...node.children.keys()].sort()) out[key] = encode(node.children.get(key)!);
    return out;
  };
  return encode(root);
}

export function fromFieldsV1(tree: unknown): FieldSet {
  const set = new FieldSet();
  const decode = (node: unknown, prefix: FieldPath): void => {
    if (!isMap(node)) return;
    for (const [key, child] of Object.entries(node)) {
      if (key === ".") set.add(prefix);
      else if (isMap(child) && Object.keys(child).length === 0) set.add([...prefix, key]);
      else decode(child, [...prefix, key]);
    }
  };
  decode(tree, []);
  return set;
}

/** `.spec.containers[name="web"].image`, `.metadata.finalizers[="a"]`, as the apiserver prints a path. */
export function pathString(path: FieldPath): string {
  return path
    .map((element) => {
      const body = element.slice(2);
      if (element.startsWith("f:")) return `.${body}`;
      if (element.startsWith("v:")) return `[=${body}]`;
      const key = JSON.parse(body) as JsonObject;
      return `[${Object.entries(key)
        .map(([k, v]) => `${k}=${JSON.stringify(v)}`)
        .join(",")}]`;
    })
    .join("");
}

/** The container holding the last element of `path` in `object`, and where in it; undefined if absent. */
function locate(object: JsonObject, path: FieldPath): { parent: JsonObject | unknown[]; at: string | number } | undefined {
  let node: unknown = object;
  let found: { parent: JsonObject | unknown[]; at: string | number } | undefined;
  for (const element of path) {
    if (node === undefined) return undefined;
    found = step(node, element);
    if (found === undefined) return undefined;
    node = (found.parent as Record<string | number, unknown>)[found.at];
  }
  return found;
}

function step(node: unknown, element: string): { parent: JsonObject | unknown[]; at: string | number } | undefined {
  const body = element.slice(2);
  if (element.startsWith("f:")) return isMap(node) && Object.hasOwn(node, body) ? { parent: node, at: body } : undefined;
  if (!Array.isArray(node)) return undefined;
  const named = parsedElement(body);
  if (named === undefined) return undefined;
  const i = node.findIndex((item) => isItem(item, element.startsWith("v:"), named));
  return i < 0 ? undefined : { parent: node, at: i };
}

/** Parsed list elements: every write walks each owned path through the object's lists, and they repeat. */
const parsedElements = new Map<string, unknown>();
const PARSED_ELEMENTS_MAX = 10_000;

/** The element's key or value; undefined for one that is not JSON (a client's own managedFields may hold anything), which names no item. */
function parsedElement(body: string): unknown {
  let named = parsedElements.get(body);
  if (named === undefined) {
    try {
      named = JSON.parse(body) as unknown;
    } catch {
      return undefined;
    }
    if (parsedElements.size >= PARSED_ELEMENTS_MAX) parsedElements.clear();
    parsedElements.set(body, named);
  }
  return named;
}

/**
 * Whether a list item is the one a `k:` or `v:` element (parsed: `named`) names. A key field the item
 * leaves out matches: the element carries that key's default (keyElement), which the stored item gets
 * from defaulting.
 */
function isItem(item: unknown, isValue: boolean, named: unknown): boolean {
  if (isValue) return isDeepStrictEqual(item, named);
  return isMap(item) && isMap(named) && Object.entries(named).every(([k, v]) => !Object.hasOwn(item, k) || item[k] === v || isDeepStrictEqual(item[k], v));
}

export function valueAt(object: JsonObject, path: FieldPath): unknown {
  const found = locate(object, path);
  return found === undefined ? undefined : (found.parent as Record<string | number, unknown>)[found.at];
}

/** Removes the field or list item at `path` from `object` (in place); nothing if it is absent. */
export function removeAt(object: JsonObject, path: FieldPath): void {
  const found = locate(object, path);
  if (found === undefined) return;
  if (Array.isArray(found.parent)) found.parent.splice(found.at as number, 1);
  else delete found.parent[found.at as string];
}
