import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { toApiObject, type Pod } from "@capstan/api";
import { eventually, orGone, startTestCluster, type TestCluster } from "./support/index.js";

/**
 * A node agent killed with SIGKILL leaves its containers running. When it comes back it must kill the
 * processes of the pods deleted while it was down, and run the pods still bound to it again; if it does
 * not come back (or is stopped before it took over), the stack kills them when it stops.
 */
let cluster: TestCluster;

beforeAll(async () => {
  cluster = await startTestCluster({ nodes: 2 });
}, 120_000);

afterAll(async () => {
  await cluster?.stop();
});

const sleeper = (name: string) =>
  toApiObject({
    apiVersion: "v1",
    kind: "Pod",
    metadata: { name },
    spec: { nodeName: "node-1", terminationGracePeriodSeconds: 1, containers: [{ name: "c", image: "busybox", command: ["sleep", "3600"] }] },
  });

const podOrGone = async (name: string): Promise<Pod | undefined> => (await orGone(cluster.client.get({ kind: "Pod", namespace: "default", name })))?.pod;

/** The pid of the pod's running container, from its containerID (process://<pid>). */
async function runningPid(name: string, other?: number): Promise<number> {
  return eventually(
    async () => {
      const status = (await podOrGone(name))?.status;
      const id = status?.containerStatuses[0]?.containerId ?? "";
      const pid = Number(/^process:\/\/(\d+)$/.exec(id)?.[1]);
      return status?.phase === "Running" && Number.isInteger(pid) && pid !== other ? pid : undefined;
    },
    { timeoutMs: 30_000, what: `pod ${name} Running${other ? " in a new process" : ""}` },
  );
}

/** Alive and not a zombie: a killed orphan of a host without a reaping init stays a zombie. */
function isAlive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    const state = stat.slice(stat.lastIndexOf(")") + 2).split(" ")[0];
    return state !== "Z" && state !== "X";
  } catch {
    return false;
  }
}

describe("node agent restart", () => {
  it("kills the containers of pods deleted while it was down and runs the others again", async () => {
    await cluster.client.create(sleeper("deleted-while-down"));
    await cluster.client.create(sleeper("kept"));
    const deletedPid = await runningPid("deleted-while-down");
    const keptPid = await runningPid("kept");

    const agent = cluster.stack.service("node-1");
    await agent.crash();
    // kill -9 runs no shutdown code: the containers outlive the agent.
    expect(isAlive(deletedPid), "the container outlives its killed agent").toBe(true);
    await cluster.client.delete({ kind: "Pod", namespace: "default", name: "deleted-while-down", gracePeriodSeconds: 0 });
    expect(await podOrGone("deleted-while-down")).toBeUndefined();

    agent.start();
    await agent.ready();
    await eventually(() => !isAlive(deletedPid), { timeoutMs: 15_000, what: `process ${deletedPid} of the deleted pod gone` });
    const keptAgain = await runningPid("kept", keptPid);
    expect(isAlive(keptPid), "the kept pod's old process").toBe(false);
    expect(isAlive(keptAgain)).toBe(true);
  });

  it("leaves no container running once the cluster stopped, even one of an agent killed with SIGKILL, nor the service CIDR's route", async () => {
    await cluster.client.create(sleeper("orphan"));
    const pid = await runningPid("orphan");
    await cluster.stack.service("node-1").crash();
    expect(isAlive(pid)).toBe(true);
    await cluster.stack.stop();
    expect(isAlive(pid), `process ${pid} of a pod whose agent was killed, after the stack stopped`).toBe(false);
    // node-2, the last agent to stop, removed the route the killed node-1 still held.
    expect(execFileSync("ip", ["route", "show", "table", "local"], { encoding: "utf8" })).not.toContain(cluster.serviceCIDR);
  });
});
