import { parseSelector, type Selector } from "@capstan/apimachinery";
import type { JsonObject } from "@capstan/client";
import { metadataOf, namespacedKey, objectKey } from "./object-key.js";

/** The values an object is found under in one index; pure, so an object's old entries can be recomputed. */
export type IndexFunc<T extends JsonObject = JsonObject> = (obj: T) => readonly string[];

export const NAMESPACE_INDEX = "namespace";
/** By `metadata.ownerReferences[].uid`: the children of an owner. */
export const OWNER_UID_INDEX = "ownerUid";

const byNamespace: IndexFunc = (obj) => [metadataOf(obj).namespace ?? ""];
const byOwnerUid: IndexFunc = (obj) => (metadataOf(obj).ownerReferences ?? []).map((r) => r.uid);

interface Index<T extends JsonObject> {
  readonly fn: IndexFunc<T>;
  readonly keys: Map<string, Set<string>>;
}

/**
 * Objects of one kind by `objectKey`, with indexes (client-go's cache.Indexer). Objects are shared
 * with every reader: treat them as read-only and copy before changing one.
 */
export class ObjectCache<T extends JsonObject = JsonObject> {
  private readonly items = new Map<string, T>();
  private readonly indexes = new Map<string, Index<T>>();

  constructor() {
    this.addIndexer(NAMESPACE_INDEX, byNamespace);
    this.addIndexer(OWNER_UID_INDEX, byOwnerUid);
  }

  /** Registers an index; objects already cached are indexed at once. */
  addIndexer(name: string, fn: IndexFunc<T>): void {
    if (this.indexes.has(name)) throw new Error(`index "${name}" is already registered`);
    const index: Index<T> = { fn, keys: new Map() };
    this.indexes.set(name, index);
    for (const [key, obj] of this.items) addToIndex(index, key, obj);
  }

  get size(): number {
    return this.items.size;
  }

  get(namespace: string, name: string): T | undefined {
    return this.items.get(namespacedKey(namespace, name));
  }

  getByKey(key: string): T | undefined {
    return this.items.get(key);
  }

  /** Objects in `namespace` (all when absent or ""), matching the label selector if one is given. */
  list(namespace?: string, labelSelector?: string | Selector): T[] {
    const selector = typeof labelSelector === "string" ? parseSelector(labelSelector) : labelSelector;
    const candidates = namespace ? this.byIndex(NAMESPACE_INDEX, namespace) : [...this.items.values()];
    if (!selector || selector.isEmpty()) return candidates;
    return candidates.filter((o) => selector.matches(metadataOf(o).labels));
  }

  byIndex(index: string, value: string): T[] {
    const keys = this.indexOf(index).keys.get(value);
    if (!keys) return [];
    const out: T[] = [];
    for (const key of keys) out.push(this.items.get(key)!);
    return out;
  }

  keys(): IterableIterator<string> {
    return this.items.keys();
  }

  /** Stores the object; returns the one it replaced. */
  set(obj: T): T | undefined {
    const key = objectKey(obj);
    const old = this.items.get(key);
    this.items.set(key, obj);
    for (const index of this.indexes.values()) {
      if (old) removeFromIndex(index, key, old);
      addToIndex(index, key, obj);
    }
    return old;
  }

  /** Removes the object under `key`; returns it. */
  delete(key: string): T | undefined {
    const old = this.items.get(key);
    if (!old) return undefined;
    this.items.delete(key);
    for (const index of this.indexes.values()) removeFromIndex(index, key, old);
    return old;
  }

  private indexOf(name: string): Index<T> {
    const index = this.indexes.get(name);
    if (!index) throw new Error(`no index "${name}"; register it with addIndexer`);
    return index;
  }
}

function addToIndex<T extends JsonObject>(index: Index<T>, key: string, obj: T): void {
  for (const value of index.fn(obj)) {
    let keys = index.keys.get(value);
    if (!keys) index.keys.set(value, (keys = new Set()));
    keys.add(key);
  }
}

function removeFromIndex<T extends JsonObject>(index: Index<T>, key: string, obj: T): void {
  for (const value of index.fn(obj)) {
    const keys = index.keys.get(value);
    if (!keys) continue;
    keys.delete(key);
    if (keys.size === 0) index.keys.delete(value);
  }
}
