import type { ContainerStatus, Pod } from "@capstan/api";
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Readable } from "node:stream";
import { fileURLToPath } from "node:url";
import { afterEach, beforeAll } from "vitest";
import { createProcessRuntime, type ProcessRuntime, type ProcessRuntimeOptions } from "./process-runtime.js";
import { readProcess } from "./process-group.js";
import type { PodRuntimeStatus, RuntimeEvent } from "./runtime.js";

/** Real process runtimes for a test file: each test's runtimes are shut down and their state dirs removed after it. */
export interface ProcessRuntimes {
  newStateDir(): string;
  /** A runtime on a fresh state dir (unless given) with the file's pod IP base, and the events it emits. */
  runtime(opts?: Partial<ProcessRuntimeOptions>): { rt: ProcessRuntime; events: RuntimeEvent[]; stateDir: string };
}

/**
 * Call at the top of a test file: registers the hooks that check the build and clean up after each test.
 * Give each file its own `podIPBase`: test files run in parallel, and two pods on one address answer for
 * each other. 127.200 and up are clear of the e2e clusters (127.20 to 127.199) and of `pnpm start`.
 */
export function useProcessRuntimes(podIPBase: string): ProcessRuntimes {
  const started: ProcessRuntime[] = [];
  const stateDirs: string[] = [];

  beforeAll(() => {
    const nginx = fileURLToPath(new URL("../../dist/images/nginx.js", import.meta.url));
    if (!existsSync(nginx)) throw new Error(`${nginx} is missing: build first (npx tsc -b services/node-agent)`);
  });

  afterEach(async () => {
    await Promise.all(started.splice(0).map((rt) => rt.shutdown()));
    for (const dir of stateDirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  });

  function newStateDir(): string {
    const dir = mkdtempSync(join(tmpdir(), "capstan-runtime-"));
    stateDirs.push(dir);
    return dir;
  }

  return {
    newStateDir,
    runtime(opts = {}) {
      const stateDir = opts.stateDir ?? newStateDir();
      const rt = createProcessRuntime({ stateDir, podIPBase, ...opts });
      started.push(rt);
      const events: RuntimeEvent[] = [];
      rt.onEvent((e) => events.push(e));
      return { rt, events, stateDir };
    },
  };
}

export const uid = (pod: Pod): string => pod.metadata?.uid ?? "";

/** Whether the process still runs (a zombie left to a non-reaping init does not). */
export function isRunning(pid: number): boolean {
  const info = readProcess(pid);
  return info !== undefined && info.state !== "Z";
}

export function pidOf(rt: ProcessRuntime, pod: Pod, container: string): number {
  const id = rt.status(uid(pod))?.containerStatuses.find((c) => c.name === container)?.containerId ?? "";
  return Number(id.replace("process://", ""));
}

export function containerStatus(rt: ProcessRuntime, pod: Pod, name: string): ContainerStatus {
  const s = rt.status(uid(pod))?.containerStatuses.find((c) => c.name === name);
  if (!s) throw new Error(`no status for container ${name}`);
  return s;
}

export async function readAll(stream: NodeJS.ReadableStream): Promise<string> {
  let text = "";
  for await (const chunk of stream as Readable) text += String(chunk);
  return text;
}

/**
 * A previous life of the agent: a runtime in its own process (the built one, from dist/) syncs `pods`
 * on `stateDir`, then dies with SIGKILL, leaving its containers running. Resolves to the pods' statuses
 * as that runtime reported them.
 */
export async function runPreviousLife(stateDir: string, podIPBase: string, pods: readonly Pod[]): Promise<PodRuntimeStatus[]> {
  const runtimeModule = new URL("../../dist/runtime/index.js", import.meta.url).href;
  const script = `
    import { createProcessRuntime } from ${JSON.stringify(runtimeModule)};
    const rt = createProcessRuntime({ stateDir: ${JSON.stringify(stateDir)}, podIPBase: ${JSON.stringify(podIPBase)} });
    const pods = ${JSON.stringify(pods)};
    for (const pod of pods) await rt.syncPod(pod);
    console.log(JSON.stringify(pods.map((p) => rt.status(p.metadata.uid))));
    setInterval(() => {}, 1000);
  `;
  const agent = spawn(process.execPath, ["--input-type=module", "-e", script], { stdio: ["ignore", "pipe", "inherit"] });
  const line = await new Promise<string>((resolve, reject) => {
    agent.stdout.once("data", (d) => resolve(String(d)));
    agent.once("exit", (code) => reject(new Error(`first agent exited with ${code}`)));
  });
  agent.kill("SIGKILL");
  await new Promise((resolve) => agent.once("exit", resolve));
  return JSON.parse(line) as PodRuntimeStatus[];
}

/** The process ids in a status's containerIds (process://<pid>). */
export function containerPids(status: PodRuntimeStatus | undefined): number[] {
  return (status?.containerStatuses ?? []).map((c) => Number(c.containerId.replace("process://", "")));
}
