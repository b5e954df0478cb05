import { isCapstanError } from "@capstan/apimachinery";
import { toApiObject } from "@capstan/api";
import type { ObjectService } from "./object-service.js";

/** Like Kubernetes, a new cluster has the namespaces everything else assumes. */
export async function ensureSystemNamespaces(service: ObjectService): Promise<void> {
  for (const name of ["default", "kube-system", "kube-public", "kube-node-lease"]) {
    try {
      await service.create(toApiObject({ apiVersion: "v1", kind: "Namespace", metadata: { name } }), { actor: "system:api-gateway" });
    } catch (e) {
      if (!isCapstanError(e, "AlreadyExists")) throw e;
    }
  }
}
