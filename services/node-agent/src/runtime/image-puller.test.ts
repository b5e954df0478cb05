import { describe, expect, it } from "vitest";
import { ImageCatalog } from "./image-catalog.js";
import { ImagePuller } from "./image-puller.js";
import { newPodRecord, type ContainerRecord, type PodRecord } from "./pod-record.js";
import { defaultRestartBackoff, RestartBackoff } from "./restart-backoff.js";
import { RuntimeListeners } from "./runtime-listeners.js";
import type { RuntimeEvent } from "./runtime.js";
import { aContainer, aPod } from "./testing.js";

const identity = { name: "p", namespace: "default", podIP: "127.250.0.2", hostname: "p" };

/** A puller over the default catalog on a clock the test moves, with the kubelet's back-off, and the events it records. */
function aPuller() {
  let clock = 0;
  const events: RuntimeEvent[] = [];
  const listeners = new RuntimeListeners({ warn: () => {} });
  listeners.onEvent((e) => events.push(e));
  const puller = new ImagePuller({
    catalog: new ImageCatalog(),
    backoff: new RestartBackoff(defaultRestartBackoff),
    retryMs: defaultRestartBackoff.baseMs,
    listeners,
    clock: () => clock,
  });
  return { puller, events, at: (ms: number) => (clock = ms) };
}

function containerOf(image: string, imagePullPolicy = ""): { rec: PodRecord; c: ContainerRecord } {
  const rec = newPodRecord("uid-1", aPod("p").with(aContainer("app", image, { imagePullPolicy })).build(), identity, () => -1);
  return { rec, c: rec.containers.get("app")! };
}

describe("ImagePuller", () => {
  it.each([
    { name: "a catalog image", image: "nginx:1.27", policy: "IfNotPresent" },
    { name: "a catalog image under Always: the catalog is this node's store", image: "nginx:latest", policy: "Always" },
    { name: "a catalog image under Never", image: "registry.k8s.io/pause:3.9", policy: "Never" },
  ])("finds $name, already present", ({ image, policy }) => {
    const { puller, events } = aPuller();
    const { rec, c } = containerOf(image, policy);
    expect(puller.ensureImageExists(rec, c)).toMatchObject({ kind: expect.any(String), imageId: expect.stringMatching(/^catalog:\/\//) });
    expect(events.map((e) => [e.type, e.reason, e.message])).toEqual([["Normal", "Pulled", `Container image "${image}" already present on machine`]]);
  });

  it("fails to pull an image the catalog lacks, then backs off 10 s doubling to 300 s, as the kubelet", () => {
    const { puller, events, at } = aPuller();
    const { rec, c } = containerOf("example.invalid/nope:1");
    // The kubelet's pod worker looks again every 10 s (its back-off period); each look pulls or reports the back-off.
    const reasons = [0, 10, 20, 30, 40, 50, 60, 70, 80, 90, 100, 110, 120, 130, 140, 150].map((s) => {
      at(s * 1000);
      const result = puller.ensureImageExists(rec, c);
      return "waiting" in result ? `${s}:${result.waiting.reason}` : `${s}:pulled`;
    });
    expect(reasons).toEqual([
      "0:ErrImagePull", // back-off 10 s
      "10:ErrImagePull", // 20 s
      "20:ImagePullBackOff",
      "30:ErrImagePull", // 40 s
      "40:ImagePullBackOff",
      "50:ImagePullBackOff",
      "60:ImagePullBackOff",
      "70:ErrImagePull", // 80 s
      "80:ImagePullBackOff",
      "90:ImagePullBackOff",
      "100:ImagePullBackOff",
      "110:ImagePullBackOff",
      "120:ImagePullBackOff",
      "130:ImagePullBackOff",
      "140:ImagePullBackOff",
      "150:ErrImagePull",
    ]);
    const failed = events.find((e) => e.reason === "Failed")!;
    expect(failed).toMatchObject({ type: "Warning", container: "app" });
    expect(failed.message).toMatch(/^Failed to pull image "example\.invalid\/nope:1": image "example\.invalid\/nope:1" is not in the process runtime's image catalog, and it pulls from no registry \(the catalog holds nginx, agnhost, pause, /);
    expect(events.slice(0, 2).map((e) => [e.type, e.reason])).toEqual([
      ["Normal", "Pulling"],
      ["Warning", "Failed"],
    ]);
    expect(events.find((e) => e.reason === "Pulling")!.message).toBe('Pulling image "example.invalid/nope:1"');
    expect(events.find((e) => e.reason === "BackOff")).toMatchObject({ type: "Normal", message: 'Back-off pulling image "example.invalid/nope:1"' });
  });

  it("caps the back-off at 300 s", () => {
    const { puller, at } = aPuller();
    const { rec, c } = containerOf("example.invalid/nope:1");
    // Pull as soon as each back-off ends: 10, 20, 40 … then 300 s apart.
    const pulls: number[] = [];
    for (let s = 0; pulls.length < 8; s++) {
      at(s * 1000);
      const result = puller.ensureImageExists(rec, c);
      if ("waiting" in result && result.waiting.reason === "ErrImagePull") pulls.push(s);
    }
    expect(pulls.slice(1).map((s, i) => s - pulls[i]!)).toEqual([10, 20, 40, 80, 160, 300, 300]);
  });

  it("says in the ImagePullBackOff state why the last pull failed", () => {
    const { puller, at } = aPuller();
    const { rec, c } = containerOf("example.invalid/nope:1");
    const failed = puller.ensureImageExists(rec, c);
    at(5_000);
    const backingOff = puller.ensureImageExists(rec, c);
    expect("waiting" in failed && "waiting" in backingOff).toBe(true);
    if (!("waiting" in failed) || !("waiting" in backingOff)) return;
    expect(failed.waiting.message).toMatch(/^image "example\.invalid\/nope:1" is not in the process runtime's image catalog/);
    expect(backingOff.waiting).toEqual({ reason: "ImagePullBackOff", message: `Back-off pulling image "example.invalid/nope:1": ErrImagePull: ${failed.waiting.message}` });
  });

  it("does not pull under pullPolicy Never: ErrImageNeverPull, every time, without back-off", () => {
    const { puller, events, at } = aPuller();
    const { rec, c } = containerOf("example.invalid/nope:1", "Never");
    const message = 'Container image "example.invalid/nope:1" is not present with pull policy of Never';
    for (const ms of [0, 1_000]) {
      at(ms);
      expect(puller.ensureImageExists(rec, c)).toEqual({ waiting: { reason: "ErrImageNeverPull", message } });
    }
    expect(events.map((e) => [e.type, e.reason, e.message])).toEqual([
      ["Warning", "ErrImageNeverPull", message],
      ["Warning", "ErrImageNeverPull", message],
    ]);
  });

  it("starts a new image, or a pod that is gone, without the old back-off", () => {
    const { puller, at } = aPuller();
    const { rec, c } = containerOf("example.invalid/nope:1");
    puller.ensureImageExists(rec, c);
    at(1_000);
    c.spec = { ...c.spec, image: "example.invalid/other:1" };
    expect(puller.ensureImageExists(rec, c)).toMatchObject({ waiting: { reason: "ErrImagePull" } });
    puller.forget(rec.uid);
    c.spec = { ...c.spec, image: "example.invalid/nope:1" };
    expect(puller.ensureImageExists(rec, c)).toMatchObject({ waiting: { reason: "ErrImagePull" } });
  });
});
