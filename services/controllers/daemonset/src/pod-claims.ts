/** Which pods a DaemonSet controls (Kubernetes' ClaimPods): it adopts orphans it selects and releases its own it no longer selects. */
import { labelSelectorMatches, type DaemonSet, type Pod } from "@capstan/api";
import { controllerRefOf, metadataOf, type IndexFunc } from "@capstan/controller-runtime";

/** Pods without a controller, by namespace: the only pods besides its own that a DaemonSet may claim. */
export const ORPHAN_PODS_INDEX = "orphan-pods";
export const orphanPodsByNamespace: IndexFunc = (pod) => (controllerRefOf(pod) ? [] : [metadataOf(pod).namespace ?? ""]);

export interface PodClaims {
  /** The pods it controls once the claims are written. */
  readonly claimed: Pod[];
  readonly adopt: Pod[];
  readonly release: Pod[];
}

/** `candidates` are its own pods and the namespace's orphans; a terminating orphan is not adopted. */
export function claimPods(ds: DaemonSet, candidates: readonly Pod[]): PodClaims {
  const uid = ds.metadata?.uid;
  const selects = (p: Pod) => labelSelectorMatches(ds.spec?.selector, p.metadata?.labels ?? {});
  const claims: PodClaims = { claimed: [], adopt: [], release: [] };
  for (const pod of candidates) {
    const owned = pod.metadata?.ownerReferences.some((r) => r.controller === true && r.uid === uid);
    if (owned && selects(pod)) claims.claimed.push(pod);
    else if (owned) claims.release.push(pod);
    else if (selects(pod) && !pod.metadata?.deletionTimestamp) {
      claims.adopt.push(pod);
      claims.claimed.push(pod);
    }
  }
  return claims;
}
