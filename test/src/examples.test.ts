import { get as httpGet } from "node:http";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { examplesDir, eventually, startTestCluster, type TestCluster } from "./support/index.js";

type Json = Record<string, any>;

function fetchText(url: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = httpGet(url, { timeout: 2000 }, (res) => {
      let body = "";
      res.on("data", (d: Buffer) => (body += d.toString()));
      res.on("end", () => (res.statusCode === 200 ? resolve(body) : reject(new Error(`HTTP ${res.statusCode}`))));
    });
    req.on("timeout", () => req.destroy(new Error("timeout")));
    req.on("error", reject);
  });
}

/** The Pod examples, each in its own namespace: two of them are both named "webserver". */
const podExamples = ["pod.yaml", "two-container-pod.yaml", "webserver-pod.yaml", "shared-volume-pod.yaml"].map((file, i) => ({
  file,
  namespace: `example-${i}`,
}));

let cluster: TestCluster;

async function getPod(namespace: string, name: string): Promise<Json> {
  const r = await cluster.capctl(["get", "pod", name, "-n", namespace, "-o", "json"]);
  if (r.code !== 0) throw new Error(r.stderr);
  return JSON.parse(r.stdout) as Json;
}

beforeAll(async () => {
  cluster = await startTestCluster({ nodes: 2 });
  for (const { file, namespace } of podExamples) {
    const ns = await cluster.capctl(["apply", "-f", "-"], `apiVersion: v1\nkind: Namespace\nmetadata:\n  name: ${namespace}\n`);
    expect(ns.stdout).toContain(`namespace/${namespace} created`);
    const r = await cluster.capctl(["apply", "-n", namespace, "-f", join(examplesDir, file)]);
    expect(r.stderr).toBe("");
    expect(r.stdout).toMatch(/^pod\/\S+ created$/m);
  }
}, 120_000);

afterAll(async () => {
  await cluster?.stop();
});

describe("the Pod examples of shared/examples", () => {
  it("run what the image catalog holds, spread over the nodes; the images it lacks wait in ImagePullBackOff", async () => {
    // pod.yaml's punitporwal07/myapp and two-container-pod.yaml's afakharany/watcher are no catalog images.
    const pulling = (p: Json) => p["status"]?.containerStatuses?.some((c: Json) => ["ErrImagePull", "ImagePullBackOff"].includes(c["state"]?.waiting?.reason));
    const pods = await eventually(
      async () => {
        const r = await cluster.capctl(["get", "pods", "-A", "-o", "json"]);
        const items = (JSON.parse(r.stdout) as Json)["items"] as Json[];
        const state = (p: Json) => (p["status"]?.phase === "Running" && p["status"]?.containerStatuses?.every((c: Json) => c["ready"]) ? "Running" : pulling(p) ? "ImagePull" : p["status"]?.phase);
        const states = Object.fromEntries(items.map((p) => [p["metadata"].namespace, state(p)]));
        const want: Record<string, string> = { "example-0": "ImagePull", "example-1": "ImagePull", "example-2": "Running", "example-3": "Running" };
        if (items.length !== podExamples.length || Object.entries(want).some(([ns, want]) => states[ns] !== want)) throw new Error(JSON.stringify(states));
        return items;
      },
      { timeoutMs: 60_000, what: "the example pods Running or pulling" },
    );
    const waiting = pods.filter(pulling);
    expect(waiting.map((p) => p["status"].phase)).toEqual(["Pending", "Pending"]);
    const running = pods.filter((p) => !pulling(p));
    const ips = running.map((p) => p["status"].podIP as string);
    expect(new Set(ips).size).toBe(running.length);
    expect(new Set(pods.map((p) => p["spec"].nodeName)).size).toBe(2);
  });

  it("serves over HTTP the dates the second container of shared-volume-pod writes", async () => {
    const pod = await getPod("example-3", "mc1");
    const body = await eventually(async () => {
      const text = await fetchText(`http://${pod["status"].podIP}:80/`);
      return text.trim().split("\n").length >= 2 ? text : undefined;
    }, { what: "two dates served" });
    for (const line of body.trim().split("\n")) expect(line).toMatch(/\d{2}:\d{2}:\d{2}/);
    // The file grows: the 2nd container keeps writing into the shared emptyDir.
    await eventually(async () => (await fetchText(`http://${pod["status"].podIP}:80/`)).length > body.length, { what: "more dates" });
  });

  it("prints kubectl-like tables and describes a pod with its events", async () => {
    const table = await cluster.capctl(["get", "pods", "-n", "example-1"]);
    expect(table.stdout).toMatch(/^NAME\s+READY\s+STATUS\s+RESTARTS\s+AGE\n/);
    expect(table.stdout).toMatch(/^webserver\s+1\/2\s+(ErrImagePull|ImagePullBackOff)\s+0\s+\d+s$/m);
    const wide = await cluster.capctl(["get", "pods", "-A", "-o", "wide"]);
    expect(wide.stdout.split("\n")[0]).toMatch(/^NAMESPACE\s+NAME\s+READY\s+STATUS\s+RESTARTS\s+AGE\s+IP\s+NODE\s+NOMINATED NODE\s+READINESS GATES$/);
    const describe = await cluster.capctl(["describe", "pod", "webserver", "-n", "example-1"]);
    for (const reason of ["Scheduled", "Pulled", "Created", "Started"]) expect(describe.stdout).toMatch(new RegExp(`Normal\\s+${reason}\\s`));
    expect(describe.stdout).toMatch(/webwatcher:\n\s+Image:\s+afakharany\/watcher:latest/);
    const nodes = await cluster.capctl(["get", "nodes"]);
    expect(nodes.stdout).toMatch(/^node-1\s+Ready\s+<none>\s+\d+s\s+\S+$/m);
  });

  it("streams a container's log", async () => {
    const pod = await getPod("example-2", "webserver");
    await fetchText(`http://${pod["status"].podIP}:80/`).catch(() => "");
    const logs = await eventually(async () => {
      const r = await cluster.capctl(["logs", "webserver", "-n", "example-2"]);
      return r.code === 0 && r.stdout.includes("GET /") ? r.stdout : undefined;
    }, { what: "nginx access log line" });
    expect(logs).toMatch(/GET \//);
    const several = await cluster.capctl(["logs", "webserver", "-n", "example-1"]);
    expect(several.code).not.toBe(0);
    expect(several.stderr).toMatch(/container.*choose one of: \[webserver webwatcher\]/);
  });

  it("deletes a pod gracefully: its processes stop, then the pod is gone", async () => {
    const pod = await getPod("example-3", "mc1");
    const r = await cluster.capctl(["delete", "pod", "mc1", "-n", "example-3"]);
    expect(r.stdout.trim()).toBe('pod "mc1" deleted');
    const gone = await cluster.capctl(["get", "pod", "mc1", "-n", "example-3"]);
    expect(gone.code).toBe(1);
    expect(gone.stderr).toMatch(/NotFound.*not found/);
    await expect(fetchText(`http://${pod["status"].podIP}:80/`)).rejects.toThrow();
  });
});
