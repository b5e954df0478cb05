import { randomUUID } from "node:crypto";
import type { JsonObject, ObjectRecord } from "@capstan/apimachinery";
import type { AdmissionContext } from "./kinds/kind-strategy.js";
import { isGlobalDefault } from "./kinds/priority-class/priority-admission.js";
import { defaultStorageClassName } from "./kinds/storage-class/default-storage-class.js";
import { metaOf } from "./object-view.js";
import type { ServiceAllocator } from "./kinds/service/service-allocation.js";

type ObjectLister = { list(filter: { kind: string }): Promise<{ items: ObjectRecord[] }> };

/**
 * What a server gives the kinds' admission: its service address ranges, and the names of the default
 * PriorityClass and StorageClass as of the last write of that kind it made (Kubernetes' admission reads
 * them from an informer, equally behind). Creates read that class in their own commit to confirm it.
 */
export function createAdmissionContext(store: ObjectLister, serviceAllocator: ServiceAllocator): AdmissionContext {
  const priorityClass = cachedDefault(store, "PriorityClass", (items) => metaOf(items.find(isGlobalDefault) ?? {}).name || undefined);
  const storageClass = cachedDefault(store, "StorageClass", defaultStorageClassName);
  return {
    serviceAllocator,
    newUid: randomUUID,
    defaultPriorityClass: priorityClass.get,
    priorityClassesChanged: priorityClass.forget,
    defaultStorageClass: storageClass.get,
    storageClassesChanged: storageClass.forget,
  };
}

/** The default object of a kind, listed once and kept until the next write of that kind. */
function cachedDefault(store: ObjectLister, kind: string, pick: (objects: JsonObject[]) => string | undefined) {
  let found: Promise<string | undefined> | undefined;
  return {
    get(): Promise<string | undefined> {
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
