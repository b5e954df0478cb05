import { isCapstanError } from "@capstan/apimachinery";
import { toApiObject } from "@capstan/api";
import type { ObjectService } from "./object-service.js";

/** The namespaces everything else assumes: created at start, and never deleted. */
export const SYSTEM_NAMESPACES: readonly string[] = ["default", "kube-system", "kube-public", "kube-node-lease"];

export function isSystemNamespace(name: string): boolean {
  return SYSTEM_NAMESPACES.includes(name);
}

/** Like Kubernetes, a new cluster has the namespaces everything else assumes. */
export async function ensureSystemNamespaces(service: ObjectService): Promise<void> {
  for (const name of SYSTEM_NAMESPACES) {
    try {
      await service.create(toApiObject({ apiVersion: "v1", kind: "Namespace", metadata: { name } }), { actor: "system:api-gateway" });
    } catch (e) {
      if (!isCapstanError(e, "AlreadyExists")) throw e;
    }
  }
}
