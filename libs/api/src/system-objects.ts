import { isCapstanError } from "@capstan/apimachinery";
import { SYSTEM_NAMESPACES } from "./kinds/namespace/lifecycle.js";
import { systemPriorityClasses } from "./kinds/priority-class/system-priority-classes.js";
import { localPathStorageClass } from "./kinds/storage-class/storage-classes.js";
import { toApiObject } from "./manifest.js";
import type { ObjectRegistry } from "./object-registry.js";

/**
 * Like Kubernetes' API server, a new cluster has the namespaces everything else assumes and the
 * system-node-critical and system-cluster-critical priority classes; and, as k3s, the default StorageClass
 * local-path its local-path provisioner serves. A restart finds them there (and puts back one deleted).
 */
export async function ensureSystemObjects(registry: Pick<ObjectRegistry, "create">, actor = "system:api-gateway"): Promise<void> {
  const objects = [
    ...SYSTEM_NAMESPACES.map((name) => ({ apiVersion: "v1", kind: "Namespace", metadata: { name } })),
    ...systemPriorityClasses.map(({ name, value, description }) => ({ apiVersion: "scheduling.k8s.io/v1", kind: "PriorityClass", metadata: { name }, value, description })),
    localPathStorageClass,
  ];
  for (const object of objects) {
    try {
      await registry.create(toApiObject(object), { actor });
    } catch (e) {
      if (!isCapstanError(e, "AlreadyExists")) throw e;
    }
  }
}
