/**
 * The PersistentVolumeClaims, PersistentVolumes and StorageClasses the VolumeBinding plugin reads, kept
 * current by reflectors as the node and pod caches are; decoded once per event, not per scheduling
 * attempt. Reserve assumes a claim's selected node here until the claim's annotation shows it, and
 * PreBind waits here for a claim to be bound, woken by the claim's own events.
 */
import { CLAIM_BOUND, PersistentVolume, PersistentVolumeClaim, SELECTED_NODE_ANNOTATION, StorageClass, type JsonObject } from "@capstan/api";
import type { VolumeListers } from "../plugins/volume-binding/volume-binding.js";

const claimKey = (namespace: string, name: string) => `${namespace}/${name}`;
const isBound = (claim: PersistentVolumeClaim | undefined) => claim?.status?.phase === CLAIM_BOUND && (claim.spec?.volumeName ?? "") !== "";

export class VolumeCache implements VolumeListers {
  private readonly claims = new Map<string, PersistentVolumeClaim>();
  private readonly volumes = new Map<string, PersistentVolume>();
  private readonly classes = new Map<string, StorageClass>();
  /** Nodes Reserve assumed selected for claims whose annotation does not say so yet, by claim key. */
  private readonly assumedNodes = new Map<string, string>();
  /** Who waits for which claim to be bound (true) or deleted (false), by claim key. */
  private readonly boundWaiters = new Map<string, Set<(bound: boolean) => void>>();

  persistentVolumeClaim(namespace: string, name: string): PersistentVolumeClaim | undefined {
    return this.claims.get(claimKey(namespace, name));
  }

  persistentVolume(name: string): PersistentVolume | undefined {
    return this.volumes.get(name);
  }

  replaceClaims(objects: readonly JsonObject[]): void {
    this.claims.clear();
    for (const o of objects) this.setClaim(o);
  }

  setClaim(object: JsonObject): void {
    const claim = PersistentVolumeClaim.fromJSON(object);
    const key = claimKey(claim.metadata?.namespace ?? "", claim.metadata?.name ?? "");
    this.claims.set(key, claim);
    if (claim.metadata?.annotations[SELECTED_NODE_ANNOTATION]) this.assumedNodes.delete(key);
    if (isBound(claim)) for (const wake of this.boundWaiters.get(key) ?? []) wake(true);
  }

  selectedNode(namespace: string, name: string): string {
    const key = claimKey(namespace, name);
    return this.claims.get(key)?.metadata?.annotations[SELECTED_NODE_ANNOTATION] || (this.assumedNodes.get(key) ?? "");
  }

  assumeSelectedNode(namespace: string, name: string, nodeName: string): void {
    this.assumedNodes.set(claimKey(namespace, name), nodeName);
  }

  revertSelectedNode(namespace: string, name: string): void {
    this.assumedNodes.delete(claimKey(namespace, name));
  }

  /** Resolves true once the claim is Bound in this cache, false when it is deleted or `timeoutMs` passes first. */
  waitForBound(namespace: string, name: string, timeoutMs: number): Promise<boolean> {
    const key = claimKey(namespace, name);
    if (isBound(this.claims.get(key))) return Promise.resolve(true);
    return new Promise((resolve) => {
      const waiters = this.boundWaiters.get(key) ?? new Set<(bound: boolean) => void>();
      this.boundWaiters.set(key, waiters);
      const done = (bound: boolean) => {
        clearTimeout(timer);
        waiters.delete(done);
        if (waiters.size === 0) this.boundWaiters.delete(key);
        resolve(bound);
      };
      const timer = setTimeout(() => done(false), timeoutMs);
      waiters.add(done);
    });
  }

  deleteClaim(object: JsonObject): void {
    const claim = PersistentVolumeClaim.fromJSON(object);
    const key = claimKey(claim.metadata?.namespace ?? "", claim.metadata?.name ?? "");
    this.claims.delete(key);
    this.assumedNodes.delete(key);
    for (const wake of this.boundWaiters.get(key) ?? []) wake(false);
  }

  replaceVolumes(objects: readonly JsonObject[]): void {
    this.volumes.clear();
    for (const o of objects) this.setVolume(o);
  }

  setVolume(object: JsonObject): void {
    const volume = PersistentVolume.fromJSON(object);
    this.volumes.set(volume.metadata?.name ?? "", volume);
  }

  deleteVolume(object: JsonObject): void {
    this.volumes.delete(PersistentVolume.fromJSON(object).metadata?.name ?? "");
  }

  storageClass(name: string): StorageClass | undefined {
    return this.classes.get(name);
  }

  replaceClasses(objects: readonly JsonObject[]): void {
    this.classes.clear();
    for (const o of objects) this.setClass(o);
  }

  setClass(object: JsonObject): void {
    const sc = StorageClass.fromJSON(object);
    this.classes.set(sc.metadata?.name ?? "", sc);
  }

  deleteClass(object: JsonObject): void {
    this.classes.delete(StorageClass.fromJSON(object).metadata?.name ?? "");
  }
}
