/**
 * The local-path provisioner: Kubernetes' external-provisioner contract for the class provisioner
 * capstan.io/local-path. A claim reconcile creates the claim's volume once its node is known (the
 * pv-binder then binds the two); a volume reconcile removes a Released volume whose policy is Delete,
 * its directory first. Volume names come from claim uids, so a restart never makes a second volume.
 */
import { PersistentVolume, PersistentVolumeClaim, StorageClass, metaOf, nodeView, toApiObject } from "@capstan/api";
import { isCapstanError } from "@capstan/apimachinery";
import type { CapstanClient, EventRecorder } from "@capstan/client";
import { splitObjectKey, type Informer, type Reconciler } from "@capstan/controller-runtime";
import { rm } from "node:fs/promises";
import { isProvisionable, isToDelete, isUnder, nodeFor, planVolume, volumeNameFor } from "./volume-plan.js";

export type ProvisionerClient = Pick<CapstanClient, "create" | "delete">;
export type Recorder = Pick<EventRecorder, "record">;

export class ClaimReconciler implements Reconciler {
  constructor(
    private readonly claims: Informer,
    private readonly volumes: Informer,
    private readonly classes: Informer,
    private readonly nodes: Informer,
    private readonly client: ProvisionerClient,
    private readonly recorder: Recorder,
    private readonly baseDir: string,
  ) {}

  async reconcile(key: string): Promise<void> {
    const { namespace, name } = splitObjectKey(key);
    const json = this.claims.get(namespace, name);
    if (!json) return;
    const claim = PersistentVolumeClaim.fromJSON(json);
    const classJson = this.classes.get("", claim.spec?.storageClassName ?? "");
    const sc = classJson && StorageClass.fromJSON(classJson);
    if (!isProvisionable(claim, sc)) return;
    if (this.volumes.get("", volumeNameFor(claim))) return;
    const readyNodes = this.nodes
      .list()
      .filter((n) => nodeView(n).isReady)
      .map((n) => ({ name: metaOf(n).name, labels: metaOf(n).labels }));
    const nodeName = nodeFor(claim, sc, readyNodes);
    if (nodeName === undefined) return;
    this.recorder.record(json, "Normal", "Provisioning", `External provisioner is provisioning volume for claim "${key}"`);
    try {
      await this.client.create(toApiObject(planVolume(claim, sc, nodeName, this.baseDir)));
    } catch (e) {
      // Made by an attempt the informer has not shown yet.
      if (!isCapstanError(e, "AlreadyExists")) throw e;
      return;
    }
    this.recorder.record(json, "Normal", "ProvisioningSucceeded", `Successfully provisioned volume ${volumeNameFor(claim)}`);
  }
}

export class VolumeReconciler implements Reconciler {
  constructor(
    private readonly volumes: Informer,
    private readonly client: ProvisionerClient,
    private readonly baseDir: string,
  ) {}

  async reconcile(name: string): Promise<void> {
    const json = this.volumes.get("", name);
    if (!json) return;
    const volume = PersistentVolume.fromJSON(json);
    if (!isToDelete(volume)) return;
    // The directory first: a crash in between leaves the volume, and the next reconcile removes both.
    const path = volume.spec?.hostPath?.path ?? "";
    if (isUnder(this.baseDir, path)) await rm(path, { recursive: true, force: true });
    try {
      await this.client.delete({ kind: "PersistentVolume", namespace: "", name, preconditions: { uid: volume.metadata?.uid ?? "" } });
    } catch (e) {
      if (!isCapstanError(e, "NotFound")) throw e;
    }
  }
}
