import type { Volume, VolumeMount } from "@capstan/api";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { PodLayout } from "./pod-layout.js";
import { prepareVolumes, volumeMounts } from "./pod-volumes.js";
import { aContainer, aPod } from "./testing.js";

const dirs: string[] = [];

function aTempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), "capstan-volumes-"));
  dirs.push(dir);
  return dir;
}

function aLayout(): PodLayout {
  return new PodLayout(aTempDir(), { warn: () => {} });
}

afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

const mount = (name: string, mountPath: string, fields: Partial<VolumeMount> = {}): VolumeMount => ({ name, mountPath, readOnly: false, subPath: "", ...fields });

function podWith(volumes: Volume[], mounts: VolumeMount[]) {
  const builder = aPod("p");
  for (const v of volumes) builder.withVolume(v);
  const container = aContainer("main", "busybox", { volumeMounts: mounts });
  return { pod: builder.with(container).build(), container };
}

describe("volumeMounts", () => {
  it.each([
    {
      name: "an undefined volume",
      volumes: [],
      mounts: [mount("nope", "/x")],
      want: 'volume "nope" mounted by container "main" is not defined in the pod',
    },
    {
      name: "a relative mountPath",
      volumes: [{ name: "data", emptyDir: { medium: "" } }],
      mounts: [mount("data", "data")],
      want: 'mountPath "data" of volume "data" is not absolute',
    },
    {
      name: "an unsupported volume type",
      volumes: [{ name: "claim", persistentVolumeClaim: { claimName: "c", readOnly: false } }],
      mounts: [mount("claim", "/data")],
      want: 'volume "claim" has a type the process runtime does not support',
    },
    {
      name: "an emptyDir whose name is no path segment",
      volumes: [{ name: "..", emptyDir: { medium: "" } }],
      mounts: [mount("..", "/data")],
      want: 'volume ".." has a type the process runtime does not support',
    },
    {
      name: "an absolute subPath",
      volumes: [{ name: "data", emptyDir: { medium: "" } }],
      mounts: [mount("data", "/data", { subPath: "/etc" })],
      want: 'subPath "/etc" of volume "data" must be a relative path without ".."',
    },
    {
      name: "a subPath that climbs out",
      volumes: [{ name: "data", emptyDir: { medium: "" } }],
      mounts: [mount("data", "/data", { subPath: "a/../../b" })],
      want: 'subPath "a/../../b" of volume "data" must be a relative path without ".."',
    },
  ])("refuses $name", ({ volumes, mounts, want }) => {
    const { pod, container } = podWith(volumes, mounts);
    expect(volumeMounts(aLayout(), "uid-1", pod, container)).toBe(want);
  });

  it("binds emptyDirs from the pod's folder and hostPaths from where they point, at normalised mountPaths", () => {
    const layout = aLayout();
    const { pod, container } = podWith(
      [
        { name: "html", emptyDir: { medium: "" } },
        { name: "host", hostPath: { path: "/srv/data" } },
      ],
      [mount("html", "/usr/share/nginx/html/"), mount("host", "/data/../mnt", { readOnly: true, subPath: "logs" })],
    );
    expect(volumeMounts(layout, "uid-1", pod, container)).toEqual([
      { source: layout.emptyDirPath("uid-1", "html"), target: "/usr/share/nginx/html", readOnly: false },
      { source: "/srv/data/logs", target: "/mnt", readOnly: true },
    ]);
  });

  it("creates an emptyDir's subPath", () => {
    const layout = aLayout();
    const { pod, container } = podWith([{ name: "html", emptyDir: { medium: "" } }], [mount("html", "/html", { subPath: "site/a" })]);
    expect(volumeMounts(layout, "uid-1", pod, container)).toEqual([{ source: join(layout.emptyDirPath("uid-1", "html"), "site/a"), target: "/html", readOnly: false }]);
    expect(existsSync(join(layout.emptyDirPath("uid-1", "html"), "site/a"))).toBe(true);
  });
});

describe("prepareVolumes", () => {
  it("creates emptyDirs and the missing hostPaths of type DirectoryOrCreate and FileOrCreate, and nothing else", () => {
    const layout = aLayout();
    const host = aTempDir();
    const { pod } = podWith(
      [
        { name: "html", emptyDir: { medium: "" } },
        { name: "dir", hostPath: { path: join(host, "made", "dir"), type: "DirectoryOrCreate" } },
        { name: "file", hostPath: { path: join(host, "made", "file.txt"), type: "FileOrCreate" } },
        { name: "plain", hostPath: { path: join(host, "absent") } },
      ],
      [],
    );
    prepareVolumes(layout, "uid-1", pod);
    expect(existsSync(layout.emptyDirPath("uid-1", "html"))).toBe(true);
    expect(existsSync(join(host, "made", "dir"))).toBe(true);
    expect(readFileSync(join(host, "made", "file.txt"), "utf8")).toBe("");
    expect(existsSync(join(host, "absent"))).toBe(false);
  });
});
