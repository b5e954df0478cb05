import { Informer } from "@capstan/controller-runtime";
import { FakeListWatch } from "@capstan/controller-runtime/testing";
import { describe, expect, it } from "vitest";
import { endpointRemovalTimeoutMs, EndpointRemovalWatch, isReadyEndpoint, podUidsOf } from "./endpoint-removal.js";

type Json = Record<string, unknown>;

let rv = 0;
interface AnEndpoint {
  readonly uid?: string;
  readonly kind?: string;
  readonly ready?: boolean;
  readonly terminating?: boolean;
}

function aSlice(name: string, endpoints: AnEndpoint[]): Json {
  return {
    kind: "EndpointSlice",
    metadata: { namespace: "shop", name, labels: { "kubernetes.io/service-name": "web" }, resourceVersion: String(++rv) },
    addressType: "IPv4",
    ports: [{ port: 8080 }],
    endpoints: endpoints.map((e, i) => ({
      addresses: [`127.37.0.${i + 2}`],
      conditions: { ...(e.ready !== undefined ? { ready: e.ready } : {}), ...(e.terminating !== undefined ? { terminating: e.terminating } : {}) },
      ...(e.uid ? { targetRef: { kind: e.kind ?? "Pod", namespace: "shop", name: `pod-${e.uid}`, uid: e.uid } } : {}),
    })),
  };
}

describe("isReadyEndpoint", () => {
  it.each([
    { name: "listed as ready", slices: [aSlice("a", [{ uid: "u1", ready: true }])], want: true },
    { name: "an unset ready condition counts as ready", slices: [aSlice("a", [{ uid: "u1" }])], want: true },
    { name: "marked terminating, not ready", slices: [aSlice("a", [{ uid: "u1", ready: false, terminating: true }])], want: false },
    { name: "not ready (a failing readiness probe)", slices: [aSlice("a", [{ uid: "u1", ready: false }])], want: false },
    { name: "in no slice: no Service selects it", slices: [aSlice("a", [{ uid: "u2", ready: true }])], want: false },
    { name: "no slices at all", slices: [], want: false },
    { name: "ready in one Service's slice, already removed from another's", slices: [aSlice("a", [{ uid: "u1", ready: false }]), aSlice("b", [{ uid: "u1", ready: true }])], want: true },
    { name: "an endpoint without targetRef is not the pod's", slices: [aSlice("a", [{ ready: true }])], want: false },
    { name: "a targetRef of another kind is not the pod's", slices: [aSlice("a", [{ uid: "u1", kind: "Node", ready: true }])], want: false },
  ])("$name", ({ slices, want }) => {
    expect(isReadyEndpoint(slices, "u1")).toBe(want);
  });
});

describe("podUidsOf", () => {
  it("lists the pods the endpoints point at", () => {
    expect(podUidsOf(aSlice("a", [{ uid: "u1" }, {}, { uid: "u2", ready: false }, { uid: "n1", kind: "Node" }]))).toEqual(["u1", "u2"]);
  });
});

describe("endpointRemovalTimeoutMs", () => {
  it.each([
    { name: "the default grace period: the maximum", grace: 30, want: 5000 },
    { name: "a short grace period keeps the container 2 s of it", grace: 3, want: 1000 },
    { name: "a grace period of 2 s or less: no wait", grace: 2, want: 0 },
    { name: "an immediate deletion: no wait", grace: 0, want: 0 },
    { name: "not a number: no wait", grace: Number.NaN, want: 0 },
  ])("$name", ({ grace, want }) => {
    expect(endpointRemovalTimeoutMs(grace)).toBe(want);
  });

  it("takes the maximum it is given", () => {
    expect(endpointRemovalTimeoutMs(30, 1500)).toBe(1500);
  });
});

describe("EndpointRemovalWatch", () => {
  async function aWatch(slices: Json[]) {
    const source = new FakeListWatch();
    const informer = new Informer({ kind: "EndpointSlice", listWatch: source.listWatch, log: () => {} });
    const watch = new EndpointRemovalWatch(informer);
    informer.start();
    await source.list(slices);
    return { source, watch };
  }

  it("resolves at once for a pod that is no ready endpoint", async () => {
    const { watch } = await aWatch([aSlice("a", [{ uid: "u2" }])]);
    const got = await watch.waitUntilNotReady("u1", 5000);
    expect(got.removed).toBe(true);
    expect(got.waitedMs).toBeLessThan(100);
  });

  it("resolves when the endpoints controller marks the pod terminating", async () => {
    const { source, watch } = await aWatch([aSlice("a", [{ uid: "u1" }, { uid: "u2" }])]);
    let settled = false;
    const waiting = watch.waitUntilNotReady("u1", 5000).finally(() => (settled = true));
    await new Promise((r) => setTimeout(r, 20));
    // Another pod of the slice changing is no reason to stop waiting.
    await source.emit("MODIFIED", aSlice("a", [{ uid: "u1" }, { uid: "u2", ready: false }]));
    await new Promise((r) => setTimeout(r, 20));
    expect(settled).toBe(false);
    await source.emit("MODIFIED", aSlice("a", [{ uid: "u1", ready: false, terminating: true }, { uid: "u2", ready: false }]));
    expect(await waiting).toMatchObject({ removed: true });
  });

  it("resolves when the pod leaves its last slice", async () => {
    const { source, watch } = await aWatch([aSlice("a", [{ uid: "u1" }])]);
    const waiting = watch.waitUntilNotReady("u1", 5000);
    await source.emit("DELETED", aSlice("a", [{ uid: "u1" }]));
    expect(await waiting).toMatchObject({ removed: true });
  });

  it("gives up after the timeout while the pod is still listed as ready", async () => {
    const { watch } = await aWatch([aSlice("a", [{ uid: "u1" }])]);
    const got = await watch.waitUntilNotReady("u1", 50);
    expect(got.removed).toBe(false);
    expect(got.waitedMs).toBeGreaterThanOrEqual(45);
  });

  it("does not wait when there is no time to wait", async () => {
    const { watch } = await aWatch([aSlice("a", [{ uid: "u1" }])]);
    expect(await watch.waitUntilNotReady("u1", 0)).toEqual({ removed: false, waitedMs: 0 });
  });

  it("waits for the first list before it decides", async () => {
    const source = new FakeListWatch();
    const informer = new Informer({ kind: "EndpointSlice", listWatch: source.listWatch, log: () => {} });
    const watch = new EndpointRemovalWatch(informer);
    informer.start();
    let settled = false;
    const waiting = watch.waitUntilNotReady("u1", 5000).finally(() => (settled = true));
    await new Promise((r) => setTimeout(r, 20));
    expect(settled).toBe(false);
    await source.list([aSlice("a", [{ uid: "u1", ready: false }])]);
    expect(await waiting).toMatchObject({ removed: true });
  });
});
