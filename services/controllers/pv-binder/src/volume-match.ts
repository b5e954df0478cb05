/**
 * Which volume a claim may bind to, as Kubernetes' pv controller decides it (pkg/controller/volume/
 * persistentvolume/index.go findMatchingVolume, util.CheckVolumeModeMismatches, CheckAccessModes).
 * Pure functions over typed objects.
 */
import {
  RESOURCE_STORAGE,
  VOLUME_AVAILABLE,
  VOLUME_MODE_FILESYSTEM,
  labelSelectorMatches,
  type PersistentVolume,
  type PersistentVolumeClaim,
} from "@capstan/api";
import { parseQuantity, type Quantity } from "@capstan/apimachinery";

/** Whether the volume's claimRef names this claim (a pre-bound claimRef may leave the uid empty). */
export function isVolumeBoundToClaim(volume: PersistentVolume, claim: PersistentVolumeClaim): boolean {
  const ref = volume.spec?.claimRef;
  if (!ref) return false;
  const meta = claim.metadata;
  return ref.name === meta?.name && ref.namespace === meta.namespace && (ref.uid === "" || ref.uid === meta.uid);
}

function storageOf(quantities: Readonly<Record<string, string>> | undefined): Quantity | undefined {
  const q = quantities?.[RESOURCE_STORAGE];
  return q === undefined ? undefined : parseQuantity(q);
}

/** The claim's class; no class is "" (admission gave a claim that named none the default class, if any). */
function claimClass(claim: PersistentVolumeClaim): string {
  return claim.spec?.storageClassName ?? "";
}

/**
 * Why the volume cannot serve the claim — class, volume mode, access modes, size, selector — or
 * undefined when it can. Says nothing of whether the volume is free.
 */
export function volumeMismatch(volume: PersistentVolume, claim: PersistentVolumeClaim): string | undefined {
  const vs = volume.spec;
  const cs = claim.spec;
  if ((vs?.storageClassName ?? "") !== claimClass(claim)) return "storageClassName does not match";
  if ((vs?.volumeMode ?? VOLUME_MODE_FILESYSTEM) !== (cs?.volumeMode ?? VOLUME_MODE_FILESYSTEM)) return "incompatible volumeMode";
  const modes = vs?.accessModes ?? [];
  if (!(cs?.accessModes ?? []).every((m) => modes.includes(m))) return "incompatible accessMode";
  const capacity = storageOf(vs?.capacity);
  const request = storageOf(cs?.resources?.requests);
  if (!capacity || (request && capacity.cmp(request) < 0)) return "requested PV is too small";
  if (cs?.selector && !labelSelectorMatches(cs.selector, volume.metadata?.labels)) return "claim's selector does not match the volume's labels";
  return undefined;
}

/**
 * The volume a claim without spec.volumeName binds to: a volume already pre-bound to it, else the
 * smallest Available, unclaimed volume that serves it (the least waste of capacity). With delayed
 * binding (WaitForFirstConsumer) only a pre-bound one: where a free volume may go is the scheduler's.
 */
export function findMatchingVolume(claim: PersistentVolumeClaim, volumes: readonly PersistentVolume[], delayBinding = false): PersistentVolume | undefined {
  let best: { volume: PersistentVolume; capacity: Quantity } | undefined;
  for (const volume of volumes) {
    if (volume.metadata?.deletionTimestamp !== undefined || volumeMismatch(volume, claim) !== undefined) continue;
    if (isVolumeBoundToClaim(volume, claim)) return volume;
    if (delayBinding || volume.spec?.claimRef || volume.status?.phase !== VOLUME_AVAILABLE) continue;
    const capacity = storageOf(volume.spec?.capacity);
    if (capacity && (!best || capacity.cmp(best.capacity) < 0)) best = { volume, capacity };
  }
  return best?.volume;
}
