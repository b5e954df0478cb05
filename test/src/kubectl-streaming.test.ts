/**
 * Stock kubectl's streaming commands against the gateway's Kubernetes API: exec and attach over the
 * WebSocket remote command protocol (through the same node agent path as capctl exec), and logs
 * followed and tailed; and the protocol's frames themselves, v5 and the v4 older clients ask for.
 * (`get -w` is in kubectl.test.ts.)
 */
import { spawn } from "node:child_process";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import WebSocket from "ws";
import { eventually, runOnTerminal, startTestCluster, type TestCluster } from "./support/index.js";

let cluster: TestCluster;

async function phaseOf(name: string): Promise<string | undefined> {
  const r = await cluster.kubectl(["get", "pod", name, "-o", "jsonpath={.status.phase}"]);
  return r.code === 0 ? r.stdout : undefined;
}

/**
 * A pod whose one container runs `script` with an emptyDir at /signal: a script waits for /signal/go,
 * which the test makes with kubectl exec when it is ready for what comes next.
 */
async function startSignalPod(name: string, script: string): Promise<void> {
  const pod = {
    apiVersion: "v1",
    kind: "Pod",
    metadata: { name },
    spec: {
      restartPolicy: "Never",
      volumes: [{ name: "signal", emptyDir: {} }],
      containers: [{ name: "app", image: "busybox", command: ["sh", "-c", script], volumeMounts: [{ name: "signal", mountPath: "/signal" }] }],
    },
  };
  await cluster.kubectlOk(["apply", "-f", "-"], JSON.stringify(pod));
  await eventually(async () => (await phaseOf(name)) === "Running", { timeoutMs: 60_000, what: `pod ${name} Running` });
}

/** kubectl running on while the test reads its output; `exited` settles with its exit code. */
function follow(args: string[]) {
  const child = spawn("/usr/bin/kubectl", ["--cache-dir", join(cluster.dataDir, "kube-cache"), ...args], {
    env: { ...process.env, KUBECONFIG: join(cluster.dataDir, "kubeconfig") },
  });
  const run = { child, out: "", exited: new Promise<number | null>((resolve) => child.on("exit", resolve)) };
  child.stdout.on("data", (d: Buffer) => (run.out += d.toString()));
  return run;
}

beforeAll(async () => {
  cluster = await startTestCluster({ nodes: 1 });
  await cluster.kubectlOk(["run", "shell", "--image=busybox", "--restart=Never", "--", "sh", "-c", "sleep 3600"]);
  await cluster.kubectlOk(["run", "counter", "--image=busybox", "--restart=Never", "--", "sh", "-c", "for i in 1 2 3 4 5 6 7 8; do echo line $i; done; sleep 3600"]);
  await eventually(async () => (await phaseOf("shell")) === "Running", { timeoutMs: 60_000, what: "pod shell Running" });
  await eventually(async () => (await phaseOf("counter")) === "Running", { timeoutMs: 60_000, what: "pod counter Running" });
}, 180_000);

afterAll(async () => {
  await cluster?.stop();
});

describe("kubectl exec", () => {
  it("prints the command's output", async () => {
    expect(await cluster.kubectl(["exec", "shell", "--", "echo", "hi"])).toEqual({ code: 0, stdout: "hi\n", stderr: "" });
  });

  it("exits with the command's exit code, its stderr apart", async () => {
    const r = await cluster.kubectl(["exec", "shell", "--", "sh", "-c", "echo out; echo err >&2; exit 3"]);
    expect(r.stdout).toBe("out\n");
    expect(r.stderr).toBe("err\ncommand terminated with exit code 3\n");
    expect(r.code).toBe(3);
  });

  it("passes stdin with -i and ends it when kubectl's stdin ends", async () => {
    const r = await cluster.kubectl(["exec", "-i", "shell", "--", "sh", "-c", "cat; echo done"], "first\nsecond\n");
    expect(r).toEqual({ code: 0, stdout: "first\nsecond\ndone\n", stderr: "" });
  });

  it("gives -it a terminal when kubectl's own stdin is one", async () => {
    const kubectl = ["/usr/bin/kubectl", "--cache-dir", join(cluster.dataDir, "kube-cache"), "exec", "-it", "shell", "--", "sh", "-c", "tty; read x; echo got $x; exit 4"];
    const r = await runOnTerminal(kubectl, "hello\n", { KUBECONFIG: join(cluster.dataDir, "kubeconfig") });
    expect(r.stdout).toMatch(/\/dev\/pts\/\d+\r+\n/);
    expect(r.stdout).toMatch(/got hello\r+\n/);
    expect(r.code).toBe(4);
  });

  it("says a missing pod is not found, before anything runs", async () => {
    const r = await cluster.kubectl(["exec", "nobody", "--", "true"]);
    expect(r.code).toBe(1);
    expect(r.stderr.trim()).toBe('Error from server (NotFound): pods "nobody" not found');
  });

  it("says what the node answers for a container the pod does not have", async () => {
    const r = await cluster.kubectl(["exec", "shell", "-c", "nope", "--", "true"]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^error: .*nope/m);
  });
});

describe("kubectl attach", () => {
  it("streams a container's output from now until it exits, and exits 0", async () => {
    await startSignalPod("ticker", "echo before; sleep 1; until [ -e /signal/go ]; do echo waiting; sleep 0.3; done; for i in 1 2 3; do echo tick $i; done");
    const attach = follow(["attach", "ticker"]);
    try {
      await eventually(() => attach.out.includes("waiting\n"), { what: "attach streaming" });
      await cluster.kubectlOk(["exec", "ticker", "--", "touch", "/signal/go"]);
      expect(await attach.exited).toBe(0);
      // "before" was written before the attach began: not attach's to show.
      expect(attach.out).toMatch(/^(waiting\n)+tick 1\ntick 2\ntick 3\n$/);
    } finally {
      attach.child.kill();
    }
  });
});

describe("kubectl logs", () => {
  it("--tail prints the last lines", async () => {
    await eventually(async () => (await cluster.kubectl(["logs", "counter"])).stdout.includes("line 8\n"));
    expect(await cluster.kubectlOk(["logs", "counter", "--tail=2"])).toBe("line 7\nline 8\n");
  });

  it("-c picks the container, -p its previous instance's log", async () => {
    // "once" fails its first run and runs on after the restart; the emptyDir remembers the first.
    const pod = {
      apiVersion: "v1",
      kind: "Pod",
      metadata: { name: "restarted" },
      spec: {
        volumes: [{ name: "state", emptyDir: {} }],
        containers: [
          {
            name: "once",
            image: "busybox",
            command: ["sh", "-c", "if [ -e /state/ran ]; then echo second run; sleep 3600; fi; touch /state/ran; echo first run; exit 1"],
            volumeMounts: [{ name: "state", mountPath: "/state" }],
          },
          { name: "side", image: "busybox", command: ["sh", "-c", "echo side; sleep 3600"] },
        ],
      },
    };
    await cluster.kubectlOk(["apply", "-f", "-"], JSON.stringify(pod));
    // The restart waits out the first back-off (10 s).
    await eventually(async () => (await cluster.kubectl(["logs", "restarted", "-c", "once"])).stdout === "second run\n", { timeoutMs: 90_000, what: "the second run's log" });
    expect(await cluster.kubectlOk(["logs", "restarted", "-c", "once", "-p"])).toBe("first run\n");
    expect(await cluster.kubectlOk(["logs", "restarted", "-c", "side"])).toBe("side\n");
    const defaulted = await cluster.kubectl(["logs", "restarted"]);
    expect(defaulted).toEqual({ code: 0, stdout: "second run\n", stderr: 'Defaulted container "once" out of: once, side\n' });
  }, 120_000);

  it("-f streams what the container writes and ends when it exits", async () => {
    await startSignalPod("chatty", "echo start; until [ -e /signal/go ]; do sleep 0.2; done; echo later; sleep 1; echo end");
    const logs = follow(["logs", "-f", "chatty"]);
    try {
      await eventually(() => logs.out === "start\n", { what: "the log's first line, followed" });
      await cluster.kubectlOk(["exec", "chatty", "--", "touch", "/signal/go"]);
      await eventually(() => logs.out === "start\nlater\nend\n", { timeoutMs: 30_000, what: "the later lines, followed" });
      expect(await logs.exited).toBe(0);
    } finally {
      logs.child.kill();
    }
  });
});

/** A remote command over the WebSocket as a client speaks it: the frames it got, by channel, once the server closed. */
async function remoteCommand(query: string, protocol: string, frames: Buffer[] = []): Promise<{ protocol: string; channels: Record<number, string> }> {
  const ws = new WebSocket(`${cluster.kubeApi.replace(/^http/, "ws")}/api/v1/namespaces/default/pods/shell/exec?${query}`, [protocol]);
  const channels: Record<number, string> = {};
  ws.on("message", (data: Buffer) => (channels[data[0]!] = (channels[data[0]!] ?? "") + data.subarray(1).toString()));
  await new Promise<void>((resolve, reject) => {
    ws.on("open", () => {
      for (const frame of frames) ws.send(frame);
    });
    ws.on("close", () => resolve());
    ws.on("error", reject);
  });
  return { protocol: ws.protocol, channels };
}

describe("the remote command protocol", () => {
  it("v5: stdin on channel 0, its end by the close signal, output on 1 and 2, the Status on 3", async () => {
    const query = "command=sh&command=-c&command=cat%3B%20echo%20err%20%3E%262%3B%20exit%207&stdin=true&stdout=true&stderr=true";
    const r = await remoteCommand(query, "v5.channel.k8s.io", [Buffer.from("\x00piped\n"), Buffer.of(255, 0)]);
    expect(r.protocol).toBe("v5.channel.k8s.io");
    expect(r.channels[1]).toBe("piped\n");
    expect(r.channels[2]).toBe("err\n");
    expect(JSON.parse(r.channels[3]!)).toMatchObject({ status: "Failure", reason: "NonZeroExitCode", details: { causes: [{ reason: "ExitCode", message: "7" }] } });
  });

  it("v4 when the client offers no v5: the same channels, Success for an exit of 0", async () => {
    const r = await remoteCommand("command=echo&command=v4&stdout=true&stderr=true", "v4.channel.k8s.io");
    expect(r.protocol).toBe("v4.channel.k8s.io");
    expect(r.channels[1]).toBe("v4\n");
    expect(JSON.parse(r.channels[3]!)).toEqual({ metadata: {}, status: "Success" });
  });

  it("refuses a subprotocol it does not speak, before the upgrade", async () => {
    const ws = new WebSocket(`${cluster.kubeApi.replace(/^http/, "ws")}/api/v1/namespaces/default/pods/shell/exec?command=true&stdout=true`, ["channel.k8s.io"]);
    const res = await new Promise<{ status: number | undefined; json: () => Promise<unknown> }>((resolve, reject) => {
      ws.on("unexpected-response", (_req, response) => {
        let body = "";
        response.on("data", (d: Buffer) => (body += d.toString()));
        response.on("end", () => resolve({ status: response.statusCode, json: () => Promise.resolve(JSON.parse(body) as unknown) }));
      });
      ws.on("open", () => reject(new Error("the server accepted a subprotocol it does not speak")));
    });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { message: string }).message).toBe("requested protocol(s) are not supported: [channel.k8s.io]; supports [v5.channel.k8s.io v4.channel.k8s.io]");
  });
});
