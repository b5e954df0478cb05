/**
 * Server-side apply (`kubectl apply --server-side`, PATCH with application/apply-patch+yaml) and the field
 * ownership every write records in metadata.managedFields, after the apiserver's fieldmanager and
 * sigs.k8s.io/structured-merge-diff: an applier owns exactly the fields of its applied configuration;
 * changing a field another manager owns to a different value is a conflict unless forced (then the
 * applier takes it over); a field the applier applied before and leaves out now is removed, unless
 * another manager still owns it. Lists merge by their list type (map by keys, set, atomic) from
 * patch-meta.ts.
 */
import { isDeepStrictEqual } from "node:util";
import { CapstanError, InvalidError, field, isCapstanError, type JsonObject } from "@capstan/apimachinery";
import { isSupportedKind, unsupportedKindError } from "../kinds.js";
import { FieldSet, fieldSetOf, fromFieldsV1, keyElement, pathString, removeAt, toFieldsV1, valueAt, valueElement, type FieldPath } from "./field-set.js";
import { PATCH_META_BY_KIND, fieldPatchMeta, listTypeOf, patchMetaOfType, type TypePatchMeta } from "./patch-meta.js";
import { forbiddenKeyError } from "./forbidden-key.js";

export type ManagedFieldsOperation = "Apply" | "Update";

/** One metadata.managedFields entry, as Kubernetes stores it. */
export interface ManagedFieldsEntry {
  readonly manager: string;
  readonly operation: ManagedFieldsOperation;
  readonly apiVersion: string;
  readonly time: string;
  readonly fieldsType: "FieldsV1";
  readonly fieldsV1: JsonObject;
  /** "status" for the status subresource's writes, "scale" for the scale's; absent for the object itself. */
  readonly subresource?: string;
}

/** The part of an object a write through a subresource may change, whose fields it is recorded owning. */
export type FieldScope = "object" | "status";

/** A field the applier would change although another manager owns it. */
export interface ApplyConflict {
  readonly manager: string;
  readonly operation: ManagedFieldsOperation;
  readonly apiVersion: string;
  readonly subresource?: string | undefined;
  /** The path as the apiserver prints it: `.spec.replicas`. */
  readonly field: string;
}

export interface ApplyOptions {
  /** `--force-conflicts`: take conflicting fields over instead of refusing. */
  readonly force: boolean;
  /** The time recorded on the managedFields entries written. */
  readonly now: Date;
}

export type ApplyResult = { readonly object: JsonObject } | { readonly conflicts: readonly ApplyConflict[] };

/** An apply refused for its conflicts: 409 Conflict, each conflict a cause (the apiserver's NewApplyConflict). */
export class ApplyConflictError extends CapstanError {
  constructor(readonly conflicts: readonly ApplyConflict[]) {
    super("Conflict", applyConflictMessage(conflicts));
  }
}

interface Owner {
  readonly entry: ManagedFieldsEntry;
  readonly fields: FieldSet;
}

/**
 * `applied` applied by `manager` to `current` (undefined to create). Returns the object to store, with its
 * managedFields, or the conflicts that refuse the apply (the apiserver answers 409: applyConflictMessage).
 */
export function serverSideApply(current: JsonObject | undefined, applied: JsonObject, manager: string, opts: ApplyOptions, kind: string): ApplyResult {
  const kindFields = kindPatchMeta(kind);
  const appliedFields = fieldSetOf(applied, kindFields);
  const config = withoutUnapplied(applied);
  const base = current === undefined ? {} : structuredClone(current);
  const owners = ownersOf(base);
  const isApplier = (o: Owner): boolean => o.entry.manager === manager && o.entry.operation === "Apply";

  const conflicts: { owner: Owner; path: FieldPath }[] = [];
  for (const owner of owners) {
    if (isApplier(owner)) continue;
    for (const path of appliedFields) if (owner.fields.has(path) && changes(base, config, path)) conflicts.push({ owner, path });
  }
  if (conflicts.length > 0 && !opts.force) {
    return {
      conflicts: conflicts.map(({ owner, path }) => ({
        manager: owner.entry.manager,
        operation: owner.entry.operation,
        apiVersion: owner.entry.apiVersion,
        subresource: owner.entry.subresource,
        field: pathString(path),
      })),
    };
  }
  for (const { owner, path } of conflicts) owner.fields.delete(path);

  const object = mergeObject(base, config, kindFields, "");
  const others = owners.filter((o) => !isApplier(o));
  const previous = owners.find(isApplier)?.fields ?? new FieldSet();
  for (const path of previous) {
    const stillOwned = appliedFields.has(path) || others.some((o) => o.fields.has(path) || o.fields.hasBelow(path));
    if (!stillOwned) removeAt(object, path);
  }

  const own = entryOf(manager, "Apply", String(applied["apiVersion"] ?? ""), opts.now, appliedFields);
  setManagedFields(object, replaceOwn(owners, isApplier, own, appliedFields));
  // An apply that changes neither the object nor who owns what leaves it as it was, its time too, so
  // nothing is written (the apiserver's no-op apply).
  if (current !== undefined && sameApart(current, object, "time")) return { object: current };
  return { object };
}

/**
 * Records a write that is not an apply (create, update, patch) for `manager`: it takes over every field
 * in its scope whose value it changed, other managers lose those, and nobody keeps fields the object no
 * longer has. The owners are those `updated` names, if it names any (a client may reset them, as in
 * Kubernetes), else `previous`'s. The manager's entry gets a new time only when it took fields.
 */
export function updateManagedFields(previous: JsonObject | undefined, updated: JsonObject, manager: string, kind: string, now: Date, subresource = ""): JsonObject {
  const before = previous ?? {};
  const object = structuredClone(updated);
  const scope: FieldScope = subresource === "status" ? "status" : "object";
  const changed = [...fieldSetOf(object, kindPatchMeta(kind), scope)].filter((path) => changes(before, object, path));
  const owners = ownersOf(managedFieldsOf(updated).length > 0 ? updated : before);
  // A write changes only its scope (an update keeps the status, a status write the rest): only there can fields vanish.
  const inScope = (path: FieldPath): boolean => (path[0] === "f:status") === (scope === "status");
  for (const owner of owners) {
    for (const path of owner.fields) if (inScope(path) && valueAt(object, path) === undefined) owner.fields.delete(path);
    for (const path of changed) owner.fields.delete(path);
  }
  const isUpdater = (o: Owner): boolean => o.entry.manager === manager && o.entry.operation === "Update" && (o.entry.subresource ?? "") === subresource;
  const mine = owners.find(isUpdater);
  const ownFields = new FieldSet([...(mine?.fields ?? []), ...changed]);
  const fresh = entryOf(manager, "Update", String(object["apiVersion"] ?? ""), now, ownFields, subresource);
  const own = changed.length === 0 && mine !== undefined ? { ...mine.entry, fieldsV1: fresh.fieldsV1 } : fresh;
  setManagedFields(object, replaceOwn(owners, isUpdater, own, ownFields));
  return object;
}

/** Whether `e` is an apply's conflicts: by the error brand and its data, as errors are checked across packages. */
export function isApplyConflictError(e: unknown): e is ApplyConflictError {
  return isCapstanError(e, "Conflict") && Array.isArray((e as { conflicts?: unknown }).conflicts);
}

/** The apiserver's 409 message: `Apply failed with 1 conflict: conflict with "kubectl-client-side-apply" using apps/v1: .spec.replicas`. */
export function applyConflictMessage(conflicts: readonly ApplyConflict[]): string {
  const [only] = conflicts;
  if (conflicts.length === 1 && only !== undefined) return `Apply failed with 1 conflict: conflict with ${managerText(only)}: ${only.field}`;
  const byManager = new Map<string, string[]>();
  for (const c of conflicts) byManager.set(managerText(c), [...(byManager.get(managerText(c)) ?? []), c.field]);
  const lines = [...byManager.keys()].sort().flatMap((m) => [`conflicts with ${m}:`, ...byManager.get(m)!.map((f) => `- ${f}`)]);
  return `Apply failed with ${conflicts.length} conflicts: ${lines.join("\n")}`;
}

/** The 409 Status's causes, one per conflict, as the apiserver lists them in `details.causes`. */
export function applyConflictCauses(conflicts: readonly ApplyConflict[]): { reason: "FieldManagerConflict"; message: string; field: string }[] {
  // metav1.StatusCause's type is `reason` in JSON.
  return conflicts.map((c) => ({ reason: "FieldManagerConflict", message: `conflict with ${managerText(c)}`, field: c.field }));
}

/** An Update manager is named with the API version it wrote through; an Apply manager by name alone. */
function managerText(c: ApplyConflict): string {
  const named = c.subresource ? `${JSON.stringify(c.manager)} with subresource ${JSON.stringify(c.subresource)}` : JSON.stringify(c.manager);
  return c.operation === "Update" ? `${named} using ${c.apiVersion}` : named;
}

function kindPatchMeta(kind: string): TypePatchMeta {
  if (!isSupportedKind(kind)) throw new InvalidError("apply", [unsupportedKindError(kind)]);
  return PATCH_META_BY_KIND[kind];
}

function isMap(v: unknown): v is JsonObject {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** Whether writing `next` changes what `before` holds at `path`: a value that differs, or a list item it lacks. */
function changes(before: JsonObject, next: JsonObject, path: FieldPath): boolean {
  const last = path[path.length - 1] ?? "";
  if (last.startsWith("f:")) return !isDeepStrictEqual(valueAt(before, path), valueAt(next, path));
  return valueAt(before, path) === undefined;
}

function managedFieldsOf(object: JsonObject): ManagedFieldsEntry[] {
  const metadata = object["metadata"];
  return isMap(metadata) && Array.isArray(metadata["managedFields"]) ? (metadata["managedFields"] as ManagedFieldsEntry[]) : [];
}

function ownersOf(object: JsonObject): Owner[] {
  return managedFieldsOf(object).map((entry) => ({ entry, fields: fromFieldsV1(entry.fieldsV1) }));
}

/** Whether two objects are equal but for their managedFields entries' `ignored` field. */
function sameApart(a: JsonObject, b: JsonObject, ignored: keyof ManagedFieldsEntry): boolean {
  const strip = (o: JsonObject): JsonObject => {
    const copy = structuredClone(o);
    if (isMap(copy["metadata"]) && Array.isArray(copy["metadata"]["managedFields"])) {
      copy["metadata"]["managedFields"] = managedFieldsOf(copy).map((e) => ({ ...e, [ignored]: undefined }));
    }
    return copy;
  };
  return isDeepStrictEqual(strip(a), strip(b));
}

function entryOf(manager: string, operation: ManagedFieldsOperation, apiVersion: string, now: Date, fields: FieldSet, subresource = ""): ManagedFieldsEntry {
  // metav1.Time is RFC 3339 to the second.
  const time = now.toISOString().replace(/\.\d{3}Z$/, "Z");
  return { manager, operation, apiVersion, time, fieldsType: "FieldsV1", fieldsV1: toFieldsV1(fields), ...(subresource ? { subresource } : {}) };
}

/**
 * The owners' entries with the manager's own (`own`, owning `ownFields`) in place of its old one, or last.
 * A manager left owning nothing loses its entry, as structured-merge-diff drops empty sets.
 */
function replaceOwn(owners: readonly Owner[], isOwn: (o: Owner) => boolean, own: ManagedFieldsEntry, ownFields: FieldSet): ManagedFieldsEntry[] {
  const entries: ManagedFieldsEntry[] = [];
  for (const o of owners) {
    if (isOwn(o)) {
      if (ownFields.size > 0) entries.push(own);
    } else if (o.fields.size > 0) {
      entries.push({ ...o.entry, fieldsV1: toFieldsV1(o.fields) });
    }
  }
  if (!owners.some(isOwn) && ownFields.size > 0) entries.push(own);
  return entries;
}

function setManagedFields(object: JsonObject, entries: ManagedFieldsEntry[]): void {
  const metadata = isMap(object["metadata"]) ? object["metadata"] : (object["metadata"] = {});
  if (entries.length > 0) metadata["managedFields"] = entries;
  else delete metadata["managedFields"];
}

/** The applied configuration minus what apply never writes: managedFields and, on the main resource, status. */
function withoutUnapplied(applied: JsonObject): JsonObject {
  const config = structuredClone(applied);
  delete config["status"];
  if (isMap(config["metadata"])) delete config["metadata"]["managedFields"];
  return config;
}

/** Structured merge of an applied configuration: maps by key, lists by their list type, atomics whole. */
function mergeObject(current: JsonObject, applied: JsonObject, fields: TypePatchMeta | undefined, path: string): JsonObject {
  for (const [name, value] of Object.entries(applied)) {
    const at = field.child(path, name);
    const forbidden = forbiddenKeyError(name, at);
    if (forbidden) throw new InvalidError("apply", [forbidden]);
    if (value === null || value === undefined) continue;
    const meta = fieldPatchMeta(fields, name);
    const was = current[name];
    const { listType } = listTypeOf(meta);
    if (Array.isArray(value) && Array.isArray(was) && listType === "set") {
      current[name] = mergeListItems(was, value, valueElement, (_live, item) => item);
    } else if (Array.isArray(value) && Array.isArray(was) && listType === "map") {
      const itemFields = patchMetaOfType(meta?.type);
      const elementOf = (item: unknown): string => (isMap(item) ? keyElement(item, meta) : valueElement(item));
      current[name] = mergeListItems(was, value, elementOf, (live, item) => (isMap(live) && isMap(item) ? mergeObject(live, item, itemFields, at) : item));
    } else if (isMap(value) && isMap(was) && meta?.mapType !== "atomic") {
      current[name] = mergeObject(was, value, patchMetaOfType(meta?.type), at);
    } else {
      current[name] = value;
    }
  }
  return current;
}

/**
 * An associative list's merge, ordered as structured-merge-diff's visitListItems orders it: walk both lists
 * together; shared items follow the applied order, and live-only items stay where they were among them.
 */
function mergeListItems(live: unknown[], applied: unknown[], elementOf: (item: unknown) => string, mergeItem: (live: unknown, applied: unknown) => unknown): unknown[] {
  const lhs = live.map(elementOf);
  const rhs = applied.map(elementOf);
  const liveByElement = new Map<string, unknown>();
  live.forEach((item, i) => liveByElement.set(lhs[i]!, liveByElement.has(lhs[i]!) ? liveByElement.get(lhs[i]!) : item));
  const inApplied = new Set(rhs);
  const sharedOrder = rhs.filter((pe) => liveByElement.has(pe));
  let nextShared = sharedOrder.shift();
  const merged = new Set<string>();
  const out: unknown[] = [];
  let l = 0;
  let r = 0;
  while (l < lhs.length || r < rhs.length) {
    if (l < lhs.length && r < rhs.length) {
      const pe = lhs[l]!;
      if (pe === rhs[r]) {
        merged.add(pe);
        out.push(mergeItem(liveByElement.get(pe), applied[r]));
        l++;
        r++;
        nextShared = sharedOrder.shift();
        continue;
      }
      // A shared item, but not the one due now: it is emitted when the applied list reaches it.
      if (inApplied.has(pe) && nextShared !== undefined && nextShared !== pe) {
        l++;
        continue;
      }
    }
    if (l < lhs.length) {
      const pe = lhs[l]!;
      if (!inApplied.has(pe)) {
        out.push(live[l]);
        l++;
        continue;
      }
      if (merged.has(pe)) l++;
    }
    if (r < rhs.length) {
      const pe = rhs[r]!;
      merged.add(pe);
      out.push(liveByElement.has(pe) ? mergeItem(liveByElement.get(pe), applied[r]) : applied[r]);
      r++;
      if (nextShared === pe) nextShared = sharedOrder.shift();
    }
  }
  return out;
}
