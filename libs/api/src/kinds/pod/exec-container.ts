/** Which container of a pod `exec` and `attach` reach, as kubectl's podcmd.FindOrDefaultContainerByName chooses it. */
import type { PodView } from "../../object-view.js";

export const DEFAULT_CONTAINER_ANNOTATION = "kubectl.kubernetes.io/default-container";

export type ExecContainer =
  | { readonly container: string; /** kubectl's note on stderr when it picked the first of several. */ readonly notice?: string }
  | { readonly error: string };

/** The named container (app or init), else the annotation's, else the first app container. */
export function findOrDefaultContainer(pod: PodView, name: string): ExecContainer {
  const podName = pod.metadata.name;
  const has = (n: string) => pod.containers.some((c) => c.name === n) || pod.initContainers.some((c) => c.name === n);
  if (name) return has(name) ? { container: name } : { error: `container ${name} not found in pod ${podName}` };
  const first = pod.containers[0]?.name;
  if (first === undefined) return { error: `pod ${pod.metadata.namespace}/${podName} does not have any containers` };
  const annotated = pod.metadata.annotations[DEFAULT_CONTAINER_ANNOTATION];
  if (annotated && has(annotated)) return { container: annotated };
  if (pod.containers.length === 1 && pod.initContainers.length === 0) return { container: first };
  const all = [...pod.containers.map((c) => c.name), ...pod.initContainers.map((c) => `${c.name} (init)`)];
  return { container: first, notice: `Defaulted container "${first}" out of: ${all.join(", ")}` };
}
