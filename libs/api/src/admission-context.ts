import { randomUUID } from "node:crypto";
import type { JsonObject, ObjectRecord } from "@capstan/apimachinery";
import type { AdmissionContext } from "./kinds/kind-strategy.js";
import { isGlobalDefault } from "./kinds/priority-class/priority-admission.js";
import { metaOf } from "./object-view.js";
import type { ServiceAllocator } from "./kinds/service/service-allocation.js";

/**
 * What a server gives the kinds' admission: its service address ranges, and the name of the
 * globalDefault PriorityClass as of the last PriorityClass write it made (Kubernetes' admission reads it
 * from an informer, equally behind). Pod creates read that class in their own commit to confirm it.
 */
export function createAdmissionContext(
  store: { list(filter: { kind: string }): Promise<{ items: ObjectRecord[] }> },
  serviceAllocator: ServiceAllocator,
): AdmissionContext {
  let defaultClass: Promise<string | undefined> | undefined;
  return {
    serviceAllocator,
    newUid: randomUUID,
    defaultPriorityClass() {
      defaultClass ??= store.list({ kind: "PriorityClass" }).then(
        ({ items }) => {
          const found = items.find((r) => isGlobalDefault(r.object));
          return found ? metaOf(found.object).name : undefined;
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
