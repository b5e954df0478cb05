import { afterEach, describe, expect, it, vi } from "vitest";
import { aWebDeployment } from "../testing/builders.js";
import { createFakeGateway } from "@capstan/client/testing";
import { beforeNext } from "../testing/before-next.js";
import { scale, scaleSpec } from "./scale.js";

afterEach(() => vi.restoreAllMocks());

describe("scaleSpec", () => {
  it.each([
    { name: "sets replicas", replicas: 3, to: 5, current: undefined, want: 5 },
    { name: "to zero", replicas: 3, to: 0, current: undefined, want: 0 },
    { name: "matching --current-replicas", replicas: 3, to: 1, current: 3, want: 1 },
    { name: "--current-replicas=-1 means no check", replicas: 3, to: 1, current: -1, want: 1 },
  ])("$name", ({ replicas, to, current, want }) => {
    const d = aWebDeployment({ replicas });
    scaleSpec(d, to, current);
    expect((d["spec"] as Record<string, unknown>)["replicas"]).toBe(want);
  });

  it("refuses when --current-replicas does not match, as kubectl", () => {
    expect(() => scaleSpec(aWebDeployment({ replicas: 3 }), 1, 2)).toThrow("Expected replicas to be 2, was 3");
  });
});

describe("scale", () => {
  it("scales each named object and says so, retrying past a concurrent write", async () => {
    const log = vi.spyOn(console, "log").mockImplementation(() => undefined);
    const gw = await createFakeGateway();
    await gw.apply(aWebDeployment({ replicas: 3 }));
    beforeNext(gw, "update", () => gw.change("Deployment", "web", (o) => ({ ...o, status: { observedGeneration: 1 } })));
    await scale(gw, ["deployment/web"], { namespace: "default", replicas: 7 });
    expect((gw.stored("Deployment", "web")!["spec"] as Record<string, unknown>)["replicas"]).toBe(7);
    expect(log.mock.calls.map((c) => c[0])).toEqual(["deployment.apps/web scaled"]);
  });

  it.each([
    { name: "a negative count", args: ["deployment/web"], replicas: -1, error: "COUNT must be greater than or equal to 0" },
    { name: "no name", args: ["deployment"], replicas: 1, error: "no name was specified" },
    { name: "a kind without replicas", args: ["pod/web"], replicas: 1, error: "pods cannot be scaled: only deployments, replicasets and replicationcontrollers can" },
  ])("refuses $name", async ({ args, replicas, error }) => {
    await expect(scale(await createFakeGateway(), args, { namespace: "default", replicas })).rejects.toThrow(error);
  });
});
