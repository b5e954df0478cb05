import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import type { PodIdentity } from "./container-env.js";
import { mountPointsUnder } from "./container-sandbox.js";
import { bootId, readProcess, type ProcessGroupRecord } from "./process-group.js";
import type { RuntimeLogger } from "./runtime.js";

/** Kubernetes names (uids, containers, volumes) become path segments: only these characters are allowed. */
const safeSegment = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

export function isSafeSegment(name: string): boolean {
  return safeSegment.test(name);
}

/**
 * Where the process runtime keeps its pods on disk, below its state dir:
 *
 *     pod-ips.json                                   the pod IP allocations
 *     pods/<uid>/pod.json                            whose folder this is
 *     pods/<uid>/volumes/<volume>/                   an emptyDir volume
 *     pods/<uid>/containers/<container>/<instance>/  an instance's root layers (or its image files without a sandbox)
 *     pods/<uid>/containers/<container>/process.json the process group of the running instance, for the agent's next life
 *     pods/<uid>/logs/<container>/<instance>.log     an instance's stdout and stderr
 *
 * Every segment is checked with isSafeSegment before it gets here.
 */
export class PodLayout {
  readonly stateDir: string;

  constructor(
    stateDir: string,
    private readonly logger: RuntimeLogger,
  ) {
    this.stateDir = resolve(stateDir);
    mkdirSync(join(this.stateDir, "pods"), { recursive: true });
  }

  get podIPsPath(): string {
    return join(this.stateDir, "pod-ips.json");
  }

  /** The pods that have a folder, from this life or an earlier one. */
  podUids(): string[] {
    return readdirOrEmpty(join(this.stateDir, "pods")).filter((uid) => safeSegment.test(uid));
  }

  podDir(uid: string): string {
    return join(this.stateDir, "pods", uid);
  }

  /** Creates the pod's folder and writes down whose it is. */
  createPodDir(uid: string, identity: PodIdentity): void {
    mkdirSync(this.podDir(uid), { recursive: true });
    writeFileSync(join(this.podDir(uid), "pod.json"), JSON.stringify({ uid, name: identity.name, namespace: identity.namespace }));
  }

  emptyDirPath(uid: string, volume: string): string {
    return join(this.podDir(uid), "volumes", volume);
  }

  /** The containers that have a folder, from this life or an earlier one. */
  containerNames(uid: string): string[] {
    return readdirOrEmpty(join(this.podDir(uid), "containers"));
  }

  instanceDir(uid: string, container: string, instance: number): string {
    return join(this.containerDir(uid, container), String(instance));
  }

  logPath(uid: string, container: string, instance: number): string {
    return join(this.podDir(uid), "logs", container, `${instance}.log`);
  }

  /** The newest instance that left a log, -1 if none did. */
  lastInstance(uid: string, container: string): number {
    let last = -1;
    for (const file of readdirOrEmpty(join(this.podDir(uid), "logs", container))) {
      const m = /^(\d+)\.log$/.exec(file);
      if (m) last = Math.max(last, Number(m[1]));
    }
    return last;
  }

  recordProcessGroup(uid: string, container: string, pid: number): void {
    const record: ProcessGroupRecord = { pgid: pid, startTime: readProcess(pid)?.startTime ?? 0, bootId: bootId() };
    writeFileSync(this.processRecordPath(uid, container), JSON.stringify(record));
  }

  /** The recorded process group of the container, undefined if there is none or it cannot be read. */
  readProcessGroup(uid: string, container: string): ProcessGroupRecord | undefined {
    try {
      return JSON.parse(readFileSync(this.processRecordPath(uid, container), "utf8")) as ProcessGroupRecord;
    } catch {
      return undefined;
    }
  }

  forgetProcessGroup(uid: string, container: string): void {
    rmSync(this.processRecordPath(uid, container), { force: true });
  }

  /**
   * rm -rf, unless something is mounted below `dir` in this mount namespace: container mounts live in
   * private namespaces, but if one ever showed here, a recursive delete would go through it into a
   * hostPath volume.
   */
  removeTree(dir: string): void {
    const mounted = mountPointsUnder(dir);
    if (mounted.length > 0) {
      this.logger.warn("not removing a directory with mounts below it", { dir, mounts: mounted });
      return;
    }
    rmSync(dir, { recursive: true, force: true });
  }

  private containerDir(uid: string, container: string): string {
    return join(this.podDir(uid), "containers", container);
  }

  private processRecordPath(uid: string, container: string): string {
    return join(this.containerDir(uid, container), "process.json");
  }
}

function readdirOrEmpty(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
}
