/**
 * The pv-binder: Kubernetes' PersistentVolume controller (pkg/controller/volume/persistentvolume/
 * pv_controller.go), with provisioning left to external provisioners. A claim reconcile binds a Pending
 * claim to a volume — for a WaitForFirstConsumer class only to one pre-bound to it (the provisioned one),
 * as the scheduler picks the node — and says what it waits for; a volume reconcile keeps the volume's
 * phase true to its claim (Available, Bound, Released once the claim is gone).
 */
import {
  BINDING_WAIT_FOR_FIRST_CONSUMER,
  CLAIM_BOUND,
  PersistentVolume,
  PersistentVolumeClaim,
  SELECTED_NODE_ANNOTATION,
  StorageClass,
  VOLUME_AVAILABLE,
  VOLUME_BOUND,
  VOLUME_RELEASED,
  wrapObject,
  type ApiObject,
} from "@capstan/api";
import type { CapstanClient, EventRecorder, JsonObject } from "@capstan/client";
import { namespacedKey, splitObjectKey, type Informer, type KeysOf, type Reconciler } from "@capstan/controller-runtime";
import { findMatchingVolume, isVolumeBoundToClaim, volumeMismatch } from "./volume-match.js";

export type BinderClient = Pick<CapstanClient, "update" | "updateStatus">;
export type Recorder = Pick<EventRecorder, "record">;

/** Kubernetes' words for a claim no volume serves when it names no storage class (and there is no provisioning). */
export const NO_VOLUMES_MESSAGE = "no persistent volumes available for this claim and no storage class is set";
export const WAIT_FOR_FIRST_CONSUMER_MESSAGE = "waiting for first consumer to be created before binding";
export const externalProvisioningMessage = (provisioner: string): string =>
  `Waiting for a volume to be created either by the external provisioner '${provisioner}' or manually by the system administrator. If volume creation is delayed, please verify that the provisioner is running and correctly registered.`;

const volumeOf = (o: ApiObject): PersistentVolume => o.persistentVolume ?? PersistentVolume.create();
const claimOf = (o: ApiObject): PersistentVolumeClaim => o.persistentVolumeClaim ?? PersistentVolumeClaim.create();

/** A changed volume wakes its claim, or, while it is free, every claim still waiting for one. */
export function claimsOfChangedVolume(claims: Informer): KeysOf {
  return (volume) => {
    const ref = PersistentVolume.fromJSON(volume).spec?.claimRef;
    if (ref) return [namespacedKey(ref.namespace, ref.name)];
    return unboundClaims(claims);
  };
}

/** A changed StorageClass wakes every claim still waiting for a volume. */
export const claimsOfChangedClass =
  (claims: Informer): KeysOf =>
  () =>
    unboundClaims(claims);

function unboundClaims(claims: Informer): string[] {
  return claims
    .list()
    .map((c) => PersistentVolumeClaim.fromJSON(c))
    .filter((c) => !c.spec?.volumeName)
    .map((c) => namespacedKey(c.metadata?.namespace ?? "", c.metadata?.name ?? ""));
}

/** A changed (or deleted) claim wakes the volume it is bound to. */
export const volumeOfChangedClaim: KeysOf = (claim: JsonObject) => {
  const volumeName = PersistentVolumeClaim.fromJSON(claim).spec?.volumeName;
  return volumeName ? [volumeName] : [];
};

export class ClaimReconciler implements Reconciler {
  constructor(
    private readonly claims: Informer,
    private readonly volumes: Informer,
    private readonly classes: Informer,
    private readonly client: BinderClient,
    private readonly recorder: Recorder,
  ) {}

  async reconcile(key: string): Promise<void> {
    const { namespace, name } = splitObjectKey(key);
    const json = this.claims.get(namespace, name);
    if (!json) return;
    const claim = PersistentVolumeClaim.fromJSON(json);
    if (claim.metadata?.deletionTimestamp !== undefined) return;
    const volumes = this.volumes.list().map((v) => PersistentVolume.fromJSON(v));

    const volumeName = claim.spec?.volumeName ?? "";
    if (volumeName === "") {
      const className = claim.spec?.storageClassName ?? "";
      const classJson = className === "" ? undefined : this.classes.get("", className);
      const sc = classJson && StorageClass.fromJSON(classJson);
      const delayBinding = sc?.volumeBindingMode === BINDING_WAIT_FOR_FIRST_CONSUMER;
      const volume = findMatchingVolume(claim, volumes, delayBinding);
      if (volume) return this.bind(volume, claim);
      // What the claim waits for, in Kubernetes' words.
      if (className === "") this.recorder.record(json, "Warning", "FailedBinding", NO_VOLUMES_MESSAGE);
      else if (!sc) this.recorder.record(json, "Warning", "ProvisioningFailed", `storageclass.storage.k8s.io "${className}" not found`);
      else if (delayBinding && !claim.metadata?.annotations[SELECTED_NODE_ANNOTATION]) this.recorder.record(json, "Normal", "WaitForFirstConsumer", WAIT_FOR_FIRST_CONSUMER_MESSAGE);
      else this.recorder.record(json, "Normal", "ExternalProvisioning", externalProvisioningMessage(sc.provisioner));
      return;
    }
    // The claim asks for one volume (or is bound to it): that one or none.
    const volume = volumes.find((v) => v.metadata?.name === volumeName);
    if (!volume) return;
    if (isVolumeBoundToClaim(volume, claim)) return this.bind(volume, claim);
    if (volume.spec?.claimRef) {
      this.recorder.record(json, "Warning", "FailedBinding", `volume "${volumeName}" already bound to a different claim.`);
      return;
    }
    const mismatch = volumeMismatch(volume, claim);
    if (mismatch !== undefined) {
      this.recorder.record(json, "Warning", "VolumeMismatch", `Cannot bind to requested volume "${volumeName}": ${mismatch}`);
      return;
    }
    return this.bind(volume, claim);
  }

  /**
   * The volume first, as Kubernetes: its claimRef, then its phase; then the claim's volumeName and phase.
   * Each step is skipped once done, so after a crash between any two the next reconcile finishes the rest.
   */
  private async bind(volume: PersistentVolume, claim: PersistentVolumeClaim): Promise<void> {
    const meta = claim.metadata;
    let pv = volume;
    if (pv.spec?.claimRef?.uid !== meta?.uid) {
      const claimRef = {
        apiVersion: "v1",
        kind: "PersistentVolumeClaim",
        namespace: meta?.namespace ?? "",
        name: meta?.name ?? "",
        uid: meta?.uid ?? "",
        resourceVersion: meta?.resourceVersion ?? "",
        fieldPath: "",
      };
      pv = volumeOf(await this.client.update(wrapObject("PersistentVolume", { ...pv, spec: { ...pv.spec!, claimRef } })));
    }
    if (pv.status?.phase !== VOLUME_BOUND) {
      pv = volumeOf(await this.client.updateStatus(wrapObject("PersistentVolume", { ...pv, status: { ...pv.status!, phase: VOLUME_BOUND } })));
    }
    let pvc = claim;
    const volumeName = pv.metadata?.name ?? "";
    if (pvc.spec?.volumeName !== volumeName) {
      pvc = claimOf(await this.client.update(wrapObject("PersistentVolumeClaim", { ...pvc, spec: { ...pvc.spec!, volumeName } })));
    }
    if (pvc.status?.phase !== CLAIM_BOUND) {
      const status = { ...pvc.status!, phase: CLAIM_BOUND, accessModes: pv.spec?.accessModes ?? [], capacity: pv.spec?.capacity ?? {} };
      await this.client.updateStatus(wrapObject("PersistentVolumeClaim", { ...pvc, status }));
    }
  }
}

export class VolumeReconciler implements Reconciler {
  constructor(
    private readonly volumes: Informer,
    private readonly claims: Informer,
    private readonly client: BinderClient,
  ) {}

  async reconcile(name: string): Promise<void> {
    const json = this.volumes.get("", name);
    if (!json) return;
    const volume = PersistentVolume.fromJSON(json);
    const ref = volume.spec?.claimRef;
    // Free, or pre-bound by a user to a claim that does not exist yet: Available.
    if (!ref || ref.uid === "") return this.setPhase(volume, VOLUME_AVAILABLE);

    const claimJson = this.claims.get(ref.namespace, ref.name);
    const claim = claimJson && PersistentVolumeClaim.fromJSON(claimJson);
    // Its claim is gone (or was deleted and made again): with Retain the data stays, the volume waits for an admin.
    if (!claim || claim.metadata?.uid !== ref.uid) return this.setPhase(volume, VOLUME_RELEASED);
    const claimVolume = claim.spec?.volumeName ?? "";
    // Binding is half done; the claim's reconcile finishes it.
    if (claimVolume === "") return;
    if (claimVolume === name) return this.setPhase(volume, VOLUME_BOUND);
    // The claim went to another volume: this one is free again.
    const { claimRef: _stale, ...spec } = volume.spec!;
    await this.client.update(wrapObject("PersistentVolume", { ...volume, spec }));
  }

  private async setPhase(volume: PersistentVolume, phase: string): Promise<void> {
    if (volume.status?.phase === phase) return;
    await this.client.updateStatus(wrapObject("PersistentVolume", { ...volume, status: { ...volume.status!, phase } }));
  }
}
