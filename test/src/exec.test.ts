import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { toApiObject } from "@capstan/api";
import { eventually, repoRoot, runOnTerminal, startTestCluster, type TestCluster } from "./support/index.js";

/**
 * `capctl exec` through the real gateway to the node agent's process runtime: output and exit code,
 * piped stdin, the container's own environment and working directory, a terminal, and the errors;
 * and attach, to a container's own output.
 */
let cluster: TestCluster;

beforeAll(async () => {
  cluster = await startTestCluster();
  await cluster.client.create(
    toApiObject({
      apiVersion: "v1",
      kind: "Pod",
      metadata: { name: "shell" },
      spec: {
        terminationGracePeriodSeconds: 0,
        containers: ["app", "sidecar"].map((name) => ({
          name,
          image: "busybox",
          command: ["sh", "-c", "sleep 3600"],
          env: [{ name: "WHO", value: name }],
          workingDir: `/srv/${name}`,
        })),
      },
    }),
  );
  // "done" exits at once and stays exited; "app" keeps the pod Running.
  await cluster.client.create(
    toApiObject({
      apiVersion: "v1",
      kind: "Pod",
      metadata: { name: "half-done" },
      spec: {
        restartPolicy: "Never",
        terminationGracePeriodSeconds: 0,
        containers: [
          { name: "app", image: "busybox", command: ["sleep", "3600"] },
          { name: "done", image: "busybox", command: ["true"] },
        ],
      },
    }),
  );
  await cluster.client.create(
    toApiObject({
      apiVersion: "v1",
      kind: "Pod",
      metadata: { name: "finished" },
      spec: { restartPolicy: "Never", containers: [{ name: "app", image: "busybox", command: ["true"] }] },
    }),
  );
  const pod = async (name: string) => (await cluster.client.get({ kind: "Pod", namespace: "default", name })).pod?.status;
  await eventually(async () => ((await pod("shell"))?.phase === "Running" ? true : undefined), { timeoutMs: 60_000, what: "pod shell Running" });
  await eventually(async () => ((await pod("finished"))?.phase === "Succeeded" ? true : undefined), { timeoutMs: 60_000, what: "pod finished Succeeded" });
  await eventually(
    async () => ((await pod("half-done"))?.containerStatuses.find((c) => c.name === "done")?.state?.terminated ? true : undefined),
    { timeoutMs: 60_000, what: "container done of half-done terminated" },
  );
}, 180_000);

afterAll(async () => {
  await cluster?.stop();
});

describe("capctl exec", () => {
  it("prints the command's stdout and stderr and exits with its code, defaulting to the first container", async () => {
    const r = await cluster.capctl(["exec", "shell", "--", "sh", "-c", "echo hi; echo err >&2; exit 3"]);
    expect(r.stdout).toBe("hi\n");
    expect(r.stderr).toBe('Defaulted container "app" out of: app, sidecar\nerr\ncommand terminated with exit code 3\n');
    expect(r.code).toBe(3);
  });

  it("passes piped stdin with -i", async () => {
    const r = await cluster.capctl(["exec", "-i", "shell", "-c", "app", "--", "cat"], "data\nmore data\n");
    expect(r).toEqual({ code: 0, stdout: "data\nmore data\n", stderr: "" });
  });

  it("runs in the container -c names, with its environment and working directory", async () => {
    const r = await cluster.capctl(["exec", "shell", "-c", "sidecar", "--", "sh", "-c", 'echo "$WHO in $(pwd)"']);
    expect(r).toEqual({ code: 0, stdout: "sidecar in /srv/sidecar\n", stderr: "" });
  });

  it("exits as the container's shell does for a command it cannot find", async () => {
    const r = await cluster.capctl(["exec", "shell", "-c", "app", "--", "no-such-command"]);
    expect(r.stderr).toMatch(/no-such-command: not found\ncommand terminated with exit code 127\n$/);
    expect(r.code).toBe(127);
  });

  it("runs the command on a terminal when asked", async () => {
    const call = cluster.client.exec({ namespace: "default", name: "shell", container: "app", command: ["sh", "-c", "tty; echo out; echo err >&2"], stdin: false, tty: true });
    let output = "";
    let exit: { exitCode: number; message: string } | undefined;
    for await (const m of call) {
      expect(m.stderr).toBeUndefined(); // one terminal stream
      if (m.stdout) output += Buffer.from(m.stdout).toString();
      if (m.exit) exit = m.exit;
    }
    expect(output).toMatch(/^\/dev\/pts\/\d+\r\nout\r\nerr\r\n$/);
    expect(exit).toEqual({ exitCode: 0, message: "" });
  });

  it("gives -it a terminal when capctl's own stdin is one", async () => {
    const capctl = [process.execPath, join(repoRoot, "services/capctl/dist/main.js"), "--server", cluster.stack.gateway];
    const r = await runOnTerminal([...capctl, "exec", "-it", "shell", "-c", "app", "--", "sh", "-c", "tty; read x; echo got $x"], "hello\n");
    // Node's raw mode keeps the local terminal's \n → \r\n, so the remote terminal's \r\n shows as \r\r\n.
    expect(r.stdout).toMatch(/\/dev\/pts\/\d+\r+\n/);
    expect(r.stdout).toMatch(/got hello\r+\n/);
    expect(r.code).toBe(0);
  });

  it("sizes the terminal as asked at the start and on a resize", async () => {
    const command = ["sh", "-c", "stty size; read line; stty size"];
    const call = cluster.client.exec({ namespace: "default", name: "shell", container: "app", command, stdin: true, tty: true, terminalSize: { width: 80, height: 24 } });
    let output = "";
    let resized = false;
    for await (const m of call) {
      if (m.stdout) output += Buffer.from(m.stdout).toString();
      if (!resized && output === "24 80\r\n") {
        resized = true;
        call.send({ resize: { width: 132, height: 43 } });
        call.send({ stdin: Buffer.from("\n") });
      }
      if (m.exit) expect(m.exit.exitCode).toBe(0);
    }
    // The terminal echoes the line typed.
    expect(output).toBe("24 80\r\n\r\n43 132\r\n");
  });

  it("attaches to a container's output from now until it exits", async () => {
    await cluster.client.create(
      toApiObject({
        apiVersion: "v1",
        kind: "Pod",
        metadata: { name: "waiter" },
        spec: {
          restartPolicy: "Never",
          containers: [{ name: "app", image: "busybox", command: ["sh", "-c", "echo before; while [ ! -e /tmp/stop ]; do echo waiting; sleep 0.3; done; echo stopping"] }],
        },
      }),
    );
    await eventually(async () => ((await cluster.client.get({ kind: "Pod", namespace: "default", name: "waiter" })).pod?.status?.phase === "Running" ? true : undefined), {
      timeoutMs: 60_000,
      what: "pod waiter Running",
    });
    const call = cluster.client.attach({ namespace: "default", name: "waiter", container: "", command: [], stdin: false, tty: false });
    let output = "";
    let stopped = false;
    let exit: { exitCode: number; message: string } | undefined;
    for await (const m of call) {
      if (m.stdout) output += Buffer.from(m.stdout).toString();
      if (!stopped && output.includes("waiting")) {
        stopped = true;
        await cluster.capctlOk(["exec", "waiter", "--", "touch", "/tmp/stop"]);
      }
      if (m.exit) exit = m.exit;
    }
    expect(output).toMatch(/^(waiting\n)+stopping\n$/); // "before" was written before the attach
    expect(exit).toEqual({ exitCode: 0, message: "" });
  });

  it("refuses to attach to a completed pod", async () => {
    const r = await cluster.capctl(["attach", "finished"]);
    expect(r).toEqual({ code: 1, stdout: "", stderr: "error: cannot attach a container in a completed pod; current phase is Succeeded\n" });
  });

  it.each([
    { name: "a missing pod", args: ["exec", "nope", "--", "true"], stderr: 'Error from server (NotFound): Pod "default/nope" not found\n' },
    { name: "a missing container", args: ["exec", "shell", "-c", "db", "--", "true"], stderr: "error: container db not found in pod shell\n" },
    { name: "no command", args: ["exec", "shell"], stderr: "error: missing required argument 'command'\n" },
    {
      name: "a completed pod",
      args: ["exec", "finished", "--", "true"],
      stderr: "error: cannot exec into a container in a completed pod; current phase is Succeeded\n",
    },
    {
      name: "a container that is not running",
      args: ["exec", "half-done", "-c", "done", "--", "true"],
      stderr: "Error from server (Unavailable): container done in pod half-done is not running\n",
    },
  ])("refuses $name in one line, exiting 1", async ({ args, stderr }) => {
    const r = await cluster.capctl(args);
    expect(r).toEqual({ code: 1, stdout: "", stderr });
  });
});
