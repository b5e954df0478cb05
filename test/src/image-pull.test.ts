import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eventually, startTestCluster, type TestCluster } from "./support/index.js";

/**
 * An image the node's process runtime cannot provide, through the real gateway, scheduler and node
 * agent: the pod waits in ErrImagePull and ImagePullBackOff as under the kubelet, is never Ready, and
 * runs once its image is changed to one the runtime has.
 */
const NS = "image-pull";
const missing = "example.invalid/nope:1";

const manifest = `apiVersion: v1
kind: Pod
metadata:
  name: nope
  namespace: ${NS}
spec:
  terminationGracePeriodSeconds: 0
  containers:
  - name: app
    image: ${missing}
`;

let cluster: TestCluster;
/** Every STATUS `capctl get` showed for the pod, and whether it ever showed it ready. */
const seen = new Set<string>();
let everReady = false;

async function statusInTable(): Promise<string> {
  const table = await cluster.capctlOk(["get", "pod", "nope", "-n", NS]);
  const row = /^nope\s+(\d+)\/1\s+(\S+)\s/m.exec(table);
  if (!row) throw new Error(`no row for nope in:\n${table}`);
  if (row[1] !== "0") everReady = true;
  seen.add(row[2]!);
  return row[2]!;
}

beforeAll(async () => {
  // The kubelet's image back-off starts at 10 s; 2 s keeps the test short and both states visible.
  cluster = await startTestCluster({ nodes: 1, env: { CAPSTAN_IMAGE_PULL_BACKOFF_BASE_MS: "2000" } });
  await cluster.capctlOk(["apply", "-f", "-"], `apiVersion: v1\nkind: Namespace\nmetadata:\n  name: ${NS}\n`);
}, 120_000);

afterAll(async () => {
  await cluster?.stop();
});

describe("an image the node cannot pull", () => {
  it("goes ErrImagePull, then ImagePullBackOff, never Ready, with the image in get, describe and the events", async () => {
    expect((await cluster.capctlOk(["apply", "-f", "-"], manifest)).trim()).toBe("pod/nope created");
    await eventually(async () => ((await statusInTable()) === "ErrImagePull" ? true : undefined), { what: "STATUS ErrImagePull" });
    await eventually(async () => ((await statusInTable()) === "ImagePullBackOff" ? true : undefined), { what: "STATUS ImagePullBackOff" });
    expect([...seen].filter((s) => !["Pending", "ContainerCreating", "ErrImagePull", "ImagePullBackOff"].includes(s))).toEqual([]);
    expect(everReady).toBe(false);

    const pod = JSON.parse(await cluster.capctlOk(["get", "pod", "nope", "-n", NS, "-o", "json"]));
    expect(pod.status.phase).toBe("Pending");
    expect(pod.status.conditions.find((c: { type: string }) => c.type === "Ready")?.status).toBe("False");
    const waiting = pod.status.containerStatuses[0].state.waiting;
    expect(["ErrImagePull", "ImagePullBackOff"]).toContain(waiting.reason);
    expect(waiting.message).toContain(`image "${missing}" is not in the process runtime's image catalog`);

    const wide = await cluster.capctlOk(["get", "pod", "nope", "-n", NS, "-o", "wide"]);
    expect(wide).toMatch(/^nope\s+0\/1\s+(ErrImagePull|ImagePullBackOff)\s/m);

    const described = await eventually(async () => {
      const out = await cluster.capctlOk(["describe", "pod", "nope", "-n", NS]);
      return /Normal\s+BackOff\s.*Back-off pulling image "example\.invalid\/nope:1"/.test(out) ? out : undefined;
    }, { what: "the BackOff event in describe" });
    expect(described).toMatch(/^\s+Image:\s+example\.invalid\/nope:1$/m);
    expect(described).toMatch(/^\s+State:\s+Waiting\n\s+Reason:\s+(ErrImagePull|ImagePullBackOff)$/m);
    expect(described).toMatch(/^\s+Ready:\s+False$/m);
    expect(described).toMatch(/Normal\s+Pulling\s.*Pulling image "example\.invalid\/nope:1"/);
    expect(described).toMatch(/Warning\s+Failed\s.*Failed to pull image "example\.invalid\/nope:1": image "example\.invalid\/nope:1" is not in the process runtime's image catalog/);
    expect(described).toMatch(/Warning\s+Failed\s.*Error: ErrImagePull/);
    expect(described).toMatch(/Warning\s+Failed\s.*Error: ImagePullBackOff/);
    expect(described).not.toMatch(/\sStarted\s/);

    const events = await cluster.capctlOk(["get", "events", "-n", NS]);
    expect(events).toMatch(/Warning\s+Failed\s+pod\/nope\s+Failed to pull image "example\.invalid\/nope:1"/);
  }, 90_000);

  it("runs once the pod's image is changed to one the runtime has", async () => {
    expect((await cluster.capctlOk(["set", "image", "pod/nope", "app=registry.k8s.io/pause:3.9", "-n", NS])).trim()).toBe("pod/nope image updated");
    await eventually(async () => ((await statusInTable()) === "Running" && everReady ? true : undefined), { what: "nope 1/1 Running" });
    const pod = JSON.parse(await cluster.capctlOk(["get", "pod", "nope", "-n", NS, "-o", "json"]));
    expect(pod.status.containerStatuses[0]).toMatchObject({ ready: true, image: "registry.k8s.io/pause:3.9", imageID: "catalog://pause" });
  }, 60_000);
});
