import { describe, expect, it } from "vitest";
import { uid, useProcessRuntimes } from "./process-runtime-harness.js";
import type { ExecSession } from "./runtime.js";
import { aContainer, aPod, eventually } from "./testing.js";

const { runtime } = useProcessRuntimes("127.207");

async function output(session: ExecSession): Promise<{ out: string; exitCode: number }> {
  let out = "";
  session.stdout.on("data", (d: Buffer) => (out += d.toString()));
  session.stderr.on("data", (d: Buffer) => (out += d.toString()));
  const { exitCode } = await session.exited;
  return { out, exitCode };
}

describe("ProcessRuntime exec", () => {
  it("runs the command among the container's files, and ends a command still running with its pod", async () => {
    const { rt } = runtime();
    const pod = aPod("exec").with(aContainer("app", "busybox", { command: ["sh", "-c", "echo mine > /tmp/note; sleep 3600"] })).build();
    await rt.syncPod(pod);
    await eventually(() => expect(rt.status(uid(pod))?.containerStatuses[0]?.state?.running).toBeDefined());

    // The container's /tmp is its own (the sandbox's tmpfs, or the host's without one): exec sees what it wrote.
    const read = await eventually(async () => {
      const r = await output(rt.exec(uid(pod), "app", { command: ["cat", "/tmp/note"], stdin: false, tty: false }));
      expect(r).toEqual({ out: "mine\n", exitCode: 0 });
      return r;
    });
    expect(read.out).toBe("mine\n");

    const lingering = rt.exec(uid(pod), "app", { command: ["sh", "-c", "echo started; exec sleep 3600"], stdin: false, tty: false });
    await new Promise((started) => lingering.stdout.once("data", started));
    await rt.killPod(uid(pod), 1);
    expect((await lingering.exited).exitCode).toBe(137);
  });

  it("refuses a pod it does not run", () => {
    const { rt } = runtime();
    expect(() => rt.exec("nope", "app", { command: ["true"], stdin: false, tty: false })).toThrow('Pod "nope" not found');
  });
});
