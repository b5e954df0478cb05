import { afterEach, describe, expect, it, vi } from "vitest";
import { toApiObject, type ListResponse, type WatchEvent, type WatchRequest } from "@capstan/api";
import type { Stream } from "@capstan/client";
import { aDeployment } from "../testing/builders.js";
import { deploymentRolloutStatus, rolloutStatus } from "./rollout-status.js";

afterEach(() => vi.restoreAllMocks());

type Json = Record<string, any>;

/** Deployment "web" (3 replicas) at generation 2, with this status. */
const at = (status: Json, generation = 2): Json => aDeployment({ replicas: 3, generation, status });
const progressing = (reason: string, status = "True") => ({ conditions: [{ type: "Progressing", status, reason }] });

describe("deploymentRolloutStatus", () => {
  it.each([
    { name: "spec not yet observed", d: at({ observedGeneration: 1, updatedReplicas: 3, replicas: 3, availableReplicas: 3 }), phase: "Waiting", message: "Waiting for deployment spec update to be observed..." },
    { name: "no status at all", d: at({}, 1), phase: "Waiting", message: "Waiting for deployment spec update to be observed..." },
    { name: "updating", d: at({ observedGeneration: 2, updatedReplicas: 1, replicas: 4, availableReplicas: 3 }), phase: "Waiting", message: 'Waiting for deployment "web" rollout to finish: 1 out of 3 new replicas have been updated...' },
    { name: "old pods terminating", d: at({ observedGeneration: 2, updatedReplicas: 3, replicas: 4, availableReplicas: 3 }), phase: "Waiting", message: 'Waiting for deployment "web" rollout to finish: 1 old replicas are pending termination...' },
    { name: "updated, not yet available", d: at({ observedGeneration: 2, updatedReplicas: 3, replicas: 3, availableReplicas: 1 }), phase: "Waiting", message: 'Waiting for deployment "web" rollout to finish: 1 of 3 updated replicas are available...' },
    { name: "complete", d: at({ observedGeneration: 2, updatedReplicas: 3, replicas: 3, availableReplicas: 3, ...progressing("NewReplicaSetAvailable") }), phase: "Complete", message: 'deployment "web" successfully rolled out' },
    { name: "observed a newer generation", d: at({ observedGeneration: 3, updatedReplicas: 3, replicas: 3, availableReplicas: 3 }), phase: "Complete", message: 'deployment "web" successfully rolled out' },
    { name: "scaled to zero", d: { ...at({ observedGeneration: 2 }), spec: { ...at({})["spec"], replicas: 0 } }, phase: "Complete", message: 'deployment "web" successfully rolled out' },
    { name: "past its progress deadline", d: at({ observedGeneration: 2, updatedReplicas: 1, replicas: 3, availableReplicas: 2, ...progressing("ProgressDeadlineExceeded", "False") }), phase: "Failed", message: 'deployment "web" exceeded its progress deadline' },
    { name: "a deadline not yet seen at this generation", d: at({ observedGeneration: 1, ...progressing("ProgressDeadlineExceeded", "False") }), phase: "Waiting", message: "Waiting for deployment spec update to be observed..." },
  ])("$name", ({ d, phase, message }) => {
    expect(deploymentRolloutStatus(d)).toEqual({ phase, message });
  });
});

/** A gateway that answers the list with `current` and hands the test each watch to feed. */
class FakeWatchGateway {
  current: Json | undefined;
  readonly watches: { req: WatchRequest; push(e: WatchEvent): void; end(): void }[] = [];

  constructor(current: Json | undefined) {
    this.current = current;
  }

  async list(): Promise<ListResponse> {
    return { items: this.current ? [toApiObject(this.current)] : [], resourceVersion: String(10 + this.watches.length) };
  }

  watch(req: Partial<WatchRequest> & { kind: string }): Stream<WatchEvent> {
    const items: WatchEvent[] = [];
    let closed = false;
    let wake: (() => void) | undefined;
    const notify = () => {
      wake?.();
      wake = undefined;
    };
    this.watches.push({ req: req as WatchRequest, push: (e) => (items.push(e), notify()), end: () => ((closed = true), notify()) });
    return {
      cancel: () => ((closed = true), notify()),
      async *[Symbol.asyncIterator]() {
        for (;;) {
          while (items.length) yield items.shift()!;
          if (closed) return;
          await new Promise<void>((r) => (wake = r));
        }
      },
    };
  }

  /** The status changes: the object is stored and sent on the open watch. */
  modify(d: Json): void {
    this.current = d;
    this.watches.at(-1)!.push({ type: "MODIFIED", object: toApiObject(d), resourceVersion: "" });
  }
}

const options = { namespace: "default", watch: true, timeoutMs: 0 };

async function watching(gw: FakeWatchGateway, count = 1): Promise<void> {
  await vi.waitFor(() => expect(gw.watches).toHaveLength(count));
}

describe("rolloutStatus", () => {
  it("prints each new status line until the rollout completes, watching from the list's revision", async () => {
    const log = vi.spyOn(console, "log").mockImplementation(() => undefined);
    const gw = new FakeWatchGateway(at({ observedGeneration: 1 }));
    const done = rolloutStatus(gw, ["deployment/web"], options);
    await watching(gw);
    expect(gw.watches[0]!.req).toMatchObject({ kind: "Deployment", namespace: "default", fieldSelector: "metadata.name=web", resourceVersion: "10" });
    gw.modify(at({ observedGeneration: 2, updatedReplicas: 1, replicas: 4, availableReplicas: 3 }));
    gw.modify(at({ observedGeneration: 2, updatedReplicas: 1, replicas: 4, availableReplicas: 3 }));
    gw.modify(at({ observedGeneration: 2, updatedReplicas: 3, replicas: 3, availableReplicas: 2 }));
    gw.modify(at({ observedGeneration: 2, updatedReplicas: 3, replicas: 3, availableReplicas: 3 }));
    await done;
    expect(log.mock.calls.map((c) => c[0])).toEqual([
      "Waiting for deployment spec update to be observed...",
      'Waiting for deployment "web" rollout to finish: 1 out of 3 new replicas have been updated...',
      'Waiting for deployment "web" rollout to finish: 2 of 3 updated replicas are available...',
      'deployment "web" successfully rolled out',
    ]);
  });

  it("fails when the Deployment exceeds its progress deadline", async () => {
    vi.spyOn(console, "log").mockImplementation(() => undefined);
    const gw = new FakeWatchGateway(at({ observedGeneration: 2, updatedReplicas: 1, replicas: 3 }));
    const done = rolloutStatus(gw, ["deployment/web"], options);
    await watching(gw);
    gw.modify(at({ observedGeneration: 2, updatedReplicas: 1, replicas: 3, ...progressing("ProgressDeadlineExceeded", "False") }));
    await expect(done).rejects.toThrow('deployment "web" exceeded its progress deadline');
  });

  it("gives up after the timeout", async () => {
    vi.spyOn(console, "log").mockImplementation(() => undefined);
    const gw = new FakeWatchGateway(at({ observedGeneration: 1 }));
    await expect(rolloutStatus(gw, ["deployment/web"], { ...options, timeoutMs: 50 })).rejects.toThrow(
      'timed out waiting for the condition: deployment "web" did not finish its rollout within 50ms',
    );
  });

  it("with --watch=false prints the status once and returns", async () => {
    const log = vi.spyOn(console, "log").mockImplementation(() => undefined);
    const gw = new FakeWatchGateway(at({ observedGeneration: 2, updatedReplicas: 3, replicas: 3, availableReplicas: 1 }));
    await rolloutStatus(gw, ["deployment", "web"], { ...options, watch: false });
    expect(log.mock.calls.map((c) => c[0])).toEqual(['Waiting for deployment "web" rollout to finish: 1 of 3 updated replicas are available...']);
    expect(gw.watches).toHaveLength(0);
  });

  it("lists again and watches on when the gateway ends the watch", async () => {
    const log = vi.spyOn(console, "log").mockImplementation(() => undefined);
    const gw = new FakeWatchGateway(at({ observedGeneration: 1 }));
    const done = rolloutStatus(gw, ["deployment/web"], options);
    await watching(gw);
    gw.current = at({ observedGeneration: 2, updatedReplicas: 3, replicas: 3, availableReplicas: 1 });
    gw.watches[0]!.end();
    await watching(gw, 2);
    expect(gw.watches[1]!.req.resourceVersion).toBe("11");
    gw.modify(at({ observedGeneration: 2, updatedReplicas: 3, replicas: 3, availableReplicas: 3 }));
    await done;
    expect(log.mock.calls.map((c) => c[0]).at(-1)).toBe('deployment "web" successfully rolled out');
  });

  it("fails when the Deployment is deleted, or is not there", async () => {
    vi.spyOn(console, "log").mockImplementation(() => undefined);
    const gw = new FakeWatchGateway(at({ observedGeneration: 1 }));
    const done = rolloutStatus(gw, ["deployment/web"], options);
    await watching(gw);
    gw.watches[0]!.push({ type: "DELETED", object: toApiObject(at({})), resourceVersion: "" });
    await expect(done).rejects.toThrow('deployment "web" was deleted while waiting for its rollout');
    await expect(rolloutStatus(new FakeWatchGateway(undefined), ["deployment/web"], options)).rejects.toThrow('Deployment "default/web" not found');
  });
});
