import { randomUUID } from "node:crypto";
import { isGlobalDefault, type AdmissionContext, type ServiceAllocator } from "@capstan/api";
import type { EventStore } from "@capstan/eventstore";

/**
 * What the gateway gives the kinds' admission: its service address ranges, and the name of the
 * globalDefault PriorityClass as of the last PriorityClass write it made (Kubernetes' admission reads it
 * from an informer, equally behind). Pod creates read that class in their own commit to confirm it.
 */
export function createAdmissionContext(store: EventStore, serviceAllocator: ServiceAllocator): AdmissionContext {
  let defaultClass: Promise<string | undefined> | undefined;
  return {
    serviceAllocator,
    newUid: randomUUID,
    defaultPriorityClass() {
      defaultClass ??= store.list({ kind: "PriorityClass" }).then(
        ({ items }) => {
          const found = items.find((r) => isGlobalDefault(r.object));
          return found ? String((found.object["metadata"] as { name?: unknown }).name) : undefined;
        },
        (e: unknown) => {
          // A failed read fails this write only; the next one lists again.
          defaultClass = undefined;
          throw e;
        },
      );
      return defaultClass;
    },
    priorityClassesChanged() {
      defaultClass = undefined;
    },
  };
}
