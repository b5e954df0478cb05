import type { Container, Pod } from "@capstan/api";
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { containerPath, type BindMount } from "./container-sandbox.js";
import { isConfigVolume } from "./config-volumes.js";
import { isSafeSegment, type PodLayout } from "./pod-layout.js";

/**
 * A pod's volumes as real directories on this host: emptyDirs in the pod's folder, hostPaths where they
 * point. A container sees them as bind mounts at their mountPaths, so its containers share them.
 */

/** Creates the pod's emptyDirs, and the hostPaths of type DirectoryOrCreate and FileOrCreate that are missing. */
export function prepareVolumes(layout: PodLayout, uid: string, pod: Pod): void {
  for (const volume of pod.spec?.volumes ?? []) {
    if (volume.emptyDir && isSafeSegment(volume.name)) {
      mkdirSync(layout.emptyDirPath(uid, volume.name), { recursive: true });
    } else if (volume.hostPath?.type === "DirectoryOrCreate") {
      mkdirSync(volume.hostPath.path, { recursive: true });
    } else if (volume.hostPath?.type === "FileOrCreate" && !existsSync(volume.hostPath.path)) {
      mkdirSync(dirname(volume.hostPath.path), { recursive: true });
      writeFileSync(volume.hostPath.path, "");
    }
  }
}

/** The container's volumes as bind mounts, or why it cannot be created. An emptyDir's subPath is created. */
export function volumeMounts(layout: PodLayout, uid: string, pod: Pod, container: Container): BindMount[] | string {
  const volumes = pod.spec?.volumes ?? [];
  const mounts: BindMount[] = [];
  for (const m of container.volumeMounts) {
    const volume = volumes.find((v) => v.name === m.name);
    if (!volume) return `volume "${m.name}" mounted by container "${container.name}" is not defined in the pod`;
    if (!m.mountPath.startsWith("/")) return `mountPath "${m.mountPath}" of volume "${m.name}" is not absolute`;
    let source: string;
    const projected = isConfigVolume(volume);
    if (volume.hostPath) source = volume.hostPath.path;
    else if ((volume.emptyDir || projected) && isSafeSegment(volume.name)) source = layout.emptyDirPath(uid, volume.name);
    else return `volume "${m.name}" has a type the process runtime does not support`;
    if (m.subPath) {
      if (m.subPath.startsWith("/") || m.subPath.split("/").includes("..")) {
        return `subPath "${m.subPath}" of volume "${m.name}" must be a relative path without ".."`;
      }
      source = join(source, m.subPath);
      if (volume.emptyDir) mkdirSync(source, { recursive: true });
    }
    // API data is never written back: the kubelet mounts these volumes read-only.
    mounts.push({ source, target: containerPath(m.mountPath), readOnly: m.readOnly || projected });
  }
  return mounts;
}
