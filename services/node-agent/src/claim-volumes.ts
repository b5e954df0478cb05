/**
 * The kubelet's volume manager for the volumes Capstan has: a pod volume from a PersistentVolumeClaim is
 * the host directory of the claim's bound PersistentVolume (hostPath or local), bind-mounted like a
 * hostPath volume and created if missing (hostPath DirectoryOrCreate). The claim and the volume are read
 * from the gateway once, when the pod starts: a pod's volumes never change.
 */
import { CLAIM_BOUND, type Pod, type Volume } from "@capstan/api";
import type { CapstanClient } from "@capstan/client";

export type ClaimReader = Pick<CapstanClient, "get">;

/** Why a claim's volume cannot be mounted yet (the kubelet's FailedMount). */
export class ClaimNotMountableError extends Error {}

export const hasClaimVolumes = (pod: Pod): boolean => (pod.spec?.volumes ?? []).some((v) => v.persistentVolumeClaim !== undefined);

/** The pod's volumes with each claim replaced by its volume's host directory. */
export async function resolveClaimVolumes(pod: Pod, client: ClaimReader): Promise<Volume[]> {
  const namespace = pod.metadata?.namespace ?? "";
  return Promise.all(
    (pod.spec?.volumes ?? []).map(async (volume) => {
      const source = volume.persistentVolumeClaim;
      if (!source) return volume;
      const claim = (await client.get({ kind: "PersistentVolumeClaim", namespace, name: source.claimName })).persistentVolumeClaim;
      const volumeName = claim?.spec?.volumeName ?? "";
      if (!claim || volumeName === "" || claim.status?.phase !== CLAIM_BOUND) {
        throw new ClaimNotMountableError(`persistentvolumeclaim "${source.claimName}" is not bound`);
      }
      const pv = (await client.get({ kind: "PersistentVolume", namespace: "", name: volumeName })).persistentVolume;
      const path = pv?.spec?.hostPath?.path ?? pv?.spec?.local?.path;
      if (!path) throw new ClaimNotMountableError(`persistentvolume "${volumeName}" has no hostPath or local path the node can mount`);
      const { persistentVolumeClaim: _claim, ...rest } = volume;
      return { ...rest, hostPath: { path, type: "DirectoryOrCreate" } };
    }),
  );
}

/** The pod as the runtime runs it: claim volumes as host directories, read-only where the claim volume says so. */
export function withResolvedVolumes(pod: Pod, volumes: Volume[]): Pod {
  const readOnly = new Set((pod.spec?.volumes ?? []).filter((v) => v.persistentVolumeClaim?.readOnly).map((v) => v.name));
  const containers = (pod.spec?.containers ?? []).map((c) => ({
    ...c,
    volumeMounts: c.volumeMounts.map((m) => (readOnly.has(m.name) ? { ...m, readOnly: true } : m)),
  }));
  return { ...pod, spec: { ...pod.spec!, volumes, containers } };
}
