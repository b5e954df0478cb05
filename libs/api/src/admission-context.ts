import { randomUUID } from "node:crypto";
import type { JsonObject, ObjectKey, ObjectRecord } from "@capstan/apimachinery";
import type { AdmissionContext } from "./kinds/kind-strategy.js";
import { isGlobalDefault } from "./kinds/priority-class/priority-admission.js";
import { defaultStorageClassName } from "./kinds/storage-class/default-storage-class.js";
import { supportedKinds } from "./kinds.js";
import { metaOf } from "./object-view.js";
import type { ServiceAllocator } from "./kinds/service/service-allocation.js";

type ObjectLister = { list(filter: { kind: string; namespace?: string }): Promise<{ items: ObjectRecord[] }> };

/**
 * What a server gives the kinds' admission: its service address ranges, the names of the default
 * PriorityClass and StorageClass, and of each namespace's ResourceQuotas and LimitRanges, as of the last
 * write of that kind it made (Kubernetes' admission reads them from an informer, equally behind). Writes
 * read those objects in their own commit to confirm them.
 */
export function createAdmissionContext(store: ObjectLister, serviceAllocator: ServiceAllocator): AdmissionContext {
  const priorityClass = cachedListing(store, "PriorityClass", (items) => metaOf(items.find(isGlobalDefault) ?? {}).name || undefined);
  const storageClass = cachedListing(store, "StorageClass", defaultStorageClassName);
  const resourceQuotas = cachedListing(store, "ResourceQuota", namesByNamespace);
  const limitRanges = cachedListing(store, "LimitRange", namesByNamespace);
  return {
    serviceAllocator,
    newUid: randomUUID,
    defaultPriorityClass: priorityClass.get,
    priorityClassesChanged: priorityClass.forget,
    defaultStorageClass: storageClass.get,
    storageClassesChanged: storageClass.forget,
    resourceQuotas: async (namespace) => (await resourceQuotas.get()).get(namespace) ?? [],
    resourceQuotasChanged: resourceQuotas.forget,
    limitRanges: async (namespace) => (await limitRanges.get()).get(namespace) ?? [],
    limitRangesChanged: limitRanges.forget,
    namespaceObjects: async (namespace, kinds) => {
      const listed = await Promise.all(kinds.map((kind) => store.list({ kind, namespace })));
      return listed.flatMap(({ items }): ObjectKey[] => items.map((r) => ({ kind: r.kind, namespace: r.namespace, name: r.name })));
    },
    countedKinds: supportedKinds().filter((k) => k.namespaced),
  };
}

function namesByNamespace(objects: JsonObject[]): ReadonlyMap<string, readonly string[]> {
  const names = new Map<string, string[]>();
  for (const o of objects) {
    const { namespace, name } = metaOf(o);
    names.set(namespace, [...(names.get(namespace) ?? []), name]);
  }
  return names;
}

/** What one listing of a kind tells, listed once and kept until the next write of that kind. */
function cachedListing<T>(store: ObjectLister, kind: string, pick: (objects: JsonObject[]) => T) {
  let found: Promise<T> | undefined;
  return {
    get(): Promise<T> {
      found ??= store.list({ kind }).then(
        ({ items }) => pick(items.map((r) => r.object)),
        (e: unknown) => {
          // A failed read fails this write only; the next one lists again.
          found = undefined;
          throw e;
        },
      );
      return found;
    },
    forget(): void {
      found = undefined;
    },
  };
}
