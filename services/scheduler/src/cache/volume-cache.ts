/**
 * The PersistentVolumeClaims and PersistentVolumes the VolumeBinding plugin reads, kept current by
 * reflectors as the node and pod caches are; decoded once per event, not per scheduling attempt.
 */
import { PersistentVolume, PersistentVolumeClaim, type JsonObject } from "@capstan/api";
import type { VolumeListers } from "../plugins/volume-binding/volume-binding.js";

const claimKey = (namespace: string, name: string) => `${namespace}/${name}`;

export class VolumeCache implements VolumeListers {
  private readonly claims = new Map<string, PersistentVolumeClaim>();
  private readonly volumes = new Map<string, PersistentVolume>();

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
    this.claims.set(claimKey(claim.metadata?.namespace ?? "", claim.metadata?.name ?? ""), claim);
  }

  deleteClaim(object: JsonObject): void {
    const claim = PersistentVolumeClaim.fromJSON(object);
    this.claims.delete(claimKey(claim.metadata?.namespace ?? "", claim.metadata?.name ?? ""));
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
}
