import type { Taint, Toleration } from "@capstan/api";

/** Kubernetes' Toleration.ToleratesTaint: an empty key with Exists matches every taint, an empty effect every effect. */
export function toleratesTaint(toleration: Toleration, taint: Pick<Taint, "key" | "value" | "effect">): boolean {
  if (toleration.effect && toleration.effect !== taint.effect) return false;
  if (toleration.key && toleration.key !== taint.key) return false;
  if (toleration.operator === "Exists") return true;
  if (toleration.operator === "" || toleration.operator === "Equal") return toleration.value === taint.value;
  return false;
}

/** A NoExecute taint and when it was put on the node (ms since the epoch). */
export interface NoExecuteTaint {
  readonly taint: Taint;
  readonly addedAt: number;
}

/**
 * When a pod with these tolerations must leave a node with these NoExecute taints (ms since the epoch),
 * or undefined if it may stay for good. Each taint is judged by the first toleration that tolerates it,
 * as Kubernetes' taint manager does: none evicts at once; one without tolerationSeconds tolerates
 * forever; otherwise the pod goes tolerationSeconds after the taint was added. The earliest taint wins.
 */
export function evictionTime(tolerations: readonly Toleration[], taints: readonly NoExecuteTaint[]): number | undefined {
  let at: number | undefined;
  for (const { taint, addedAt } of taints) {
    const toleration = tolerations.find((t) => toleratesTaint(t, taint));
    if (toleration && toleration.tolerationSeconds === undefined) continue;
    const seconds = Math.max(0, toleration?.tolerationSeconds ?? 0);
    const due = addedAt + seconds * 1000;
    at = at === undefined ? due : Math.min(at, due);
  }
  return at;
}
