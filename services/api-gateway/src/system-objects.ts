import { isCapstanError } from "@capstan/apimachinery";
import { SYSTEM_NAMESPACES, systemPriorityClasses, toApiObject } from "@capstan/api";
import type { ObjectService } from "./object-service.js";

/**
 * Like Kubernetes' API server, a new cluster has the namespaces everything else assumes and the
 * system-node-critical and system-cluster-critical priority classes; a restart finds them there.
 */
export async function ensureSystemObjects(service: ObjectService): Promise<void> {
  const objects = [
    ...SYSTEM_NAMESPACES.map((name) => ({ apiVersion: "v1", kind: "Namespace", metadata: { name } })),
    ...systemPriorityClasses.map(({ name, value, description }) => ({ apiVersion: "scheduling.k8s.io/v1", kind: "PriorityClass", metadata: { name }, value, description })),
  ];
  for (const object of objects) {
    try {
      await service.create(toApiObject(object), { actor: "system:api-gateway" });
    } catch (e) {
      if (!isCapstanError(e, "AlreadyExists")) throw e;
    }
  }
}
