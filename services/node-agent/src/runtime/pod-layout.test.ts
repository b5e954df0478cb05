import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { isSafeSegment, PodLayout } from "./pod-layout.js";
import { bootId, readProcess } from "./process-group.js";

const dirs: string[] = [];
const warnings: string[] = [];

function aLayout(): PodLayout {
  const dir = mkdtempSync(join(tmpdir(), "capstan-layout-"));
  dirs.push(dir);
  return new PodLayout(dir, { warn: (message) => warnings.push(message) });
}

afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  warnings.splice(0);
});

describe("isSafeSegment", () => {
  it.each([
    { name: "a uid", segment: "3f2a9c1e-7b4d-4e8a-9c1f-0d2e3f4a5b6c", want: true },
    { name: "a container name", segment: "web-1.sidecar_x", want: true },
    { name: "empty", segment: "", want: false },
    { name: "a parent directory", segment: "..", want: false },
    { name: "a leading dot", segment: ".hidden", want: false },
    { name: "a slash", segment: "a/b", want: false },
    { name: "a space", segment: "a b", want: false },
  ])("$name", ({ segment, want }) => {
    expect(isSafeSegment(segment)).toBe(want);
  });
});

describe("PodLayout", () => {
  it("places a pod's files below its folder in the state dir", () => {
    const layout = aLayout();
    const pod = join(layout.stateDir, "pods", "uid-1");
    expect(existsSync(join(layout.stateDir, "pods"))).toBe(true);
    expect(layout.podIPsPath).toBe(join(layout.stateDir, "pod-ips.json"));
    expect(layout.podDir("uid-1")).toBe(pod);
    expect(layout.emptyDirPath("uid-1", "html")).toBe(join(pod, "volumes", "html"));
    expect(layout.instanceDir("uid-1", "web", 2)).toBe(join(pod, "containers", "web", "2"));
    expect(layout.logPath("uid-1", "web", 2)).toBe(join(pod, "logs", "web", "2.log"));
  });

  it("writes down whose folder it is, and lists the pods with a folder whose names are safe", () => {
    const layout = aLayout();
    layout.createPodDir("uid-1", { name: "web", namespace: "prod", podIP: "127.9.0.2", hostname: "web" });
    mkdirSync(join(layout.stateDir, "pods", ".stray"));
    expect(JSON.parse(readFileSync(join(layout.podDir("uid-1"), "pod.json"), "utf8"))).toEqual({ uid: "uid-1", name: "web", namespace: "prod" });
    expect(layout.podUids()).toEqual(["uid-1"]);
  });

  it("counts instances on from the newest log, -1 without any", () => {
    const layout = aLayout();
    expect(layout.lastInstance("uid-1", "web")).toBe(-1);
    const logs = join(layout.podDir("uid-1"), "logs", "web");
    mkdirSync(logs, { recursive: true });
    for (const file of ["2.log", "10.log", "notes.txt", "3.log.tmp"]) writeFileSync(join(logs, file), "");
    expect(layout.lastInstance("uid-1", "web")).toBe(10);
  });

  it("records a container's process group for the next life, and forgets it", () => {
    const layout = aLayout();
    expect(layout.readProcessGroup("uid-1", "web")).toBeUndefined();
    mkdirSync(layout.instanceDir("uid-1", "web", 0), { recursive: true });
    layout.recordProcessGroup("uid-1", "web", process.pid);
    expect(layout.containerNames("uid-1")).toEqual(["web"]);
    expect(layout.readProcessGroup("uid-1", "web")).toEqual({ pgid: process.pid, startTime: readProcess(process.pid)?.startTime, bootId: bootId() });
    layout.forgetProcessGroup("uid-1", "web");
    expect(layout.readProcessGroup("uid-1", "web")).toBeUndefined();
  });

  it("reads an unreadable record as none", () => {
    const layout = aLayout();
    mkdirSync(join(layout.podDir("uid-1"), "containers", "web"), { recursive: true });
    writeFileSync(join(layout.podDir("uid-1"), "containers", "web", "process.json"), "{not json");
    expect(layout.readProcessGroup("uid-1", "web")).toBeUndefined();
  });

  it("removes a tree with nothing mounted below it", () => {
    const layout = aLayout();
    mkdirSync(layout.emptyDirPath("uid-1", "html"), { recursive: true });
    layout.removeTree(layout.podDir("uid-1"));
    expect(existsSync(layout.podDir("uid-1"))).toBe(false);
    expect(warnings).toEqual([]);
  });
});
