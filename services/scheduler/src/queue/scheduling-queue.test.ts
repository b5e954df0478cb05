import { describe, expect, it } from "vitest";
import { FakeClock } from "@capstan/apimachinery/testing";
import { PrioritySort } from "../plugins/priority-sort/priority-sort.js";
import { aPod } from "../testing/builders.js";
import { nodeUpdateEvents, type ClusterEvent } from "./cluster-events.js";
import { Heap } from "./heap.js";
import { SchedulingQueue } from "./scheduling-queue.js";

const FLUSH_MS = 60_000;

function queue() {
  const clock = new FakeClock(1_000_000);
  let wakes = 0;
  const sort = new PrioritySort();
  const q = new SchedulingQueue({ clock, less: (a, b) => sort.less(a, b), unschedulableFlushMs: FLUSH_MS, onActive: () => wakes++ });
  return { q, clock, wakes: () => wakes };
}

const pod = (name: string, priority = 0) => aPod(name).priority(priority).build();
const key = (name: string) => `default/${name}`;

/** Pops the pod and fails it as rejected by `plugins`, as the scheduling loop does. */
function failAttempt(q: SchedulingQueue, ...plugins: string[]): string {
  const popped = q.pop();
  if (!popped) throw new Error("activeQ is empty");
  q.addUnschedulable(popped.pod.key, new Set(plugins), q.cycle);
  return popped.pod.key;
}

describe("SchedulingQueue", () => {
  it("pops activeQ in QueueSort order: higher priority first, then older", () => {
    const { q } = queue();
    const a = aPod("a").priority(10).build();
    const b = { ...aPod("b").priority(100).build(), creationTimestamp: "2026-01-01T00:00:02Z" };
    const c = { ...aPod("c").priority(100).build(), creationTimestamp: "2026-01-01T00:00:01Z" };
    for (const p of [a, b, c]) q.add(p);
    expect([q.pop(), q.pop(), q.pop(), q.pop()].map((p) => p?.pod.name)).toEqual(["c", "b", "a", undefined]);
  });

  it.each([
    { attempts: 1, ms: 1000 },
    { attempts: 2, ms: 2000 },
    { attempts: 3, ms: 4000 },
    { attempts: 4, ms: 8000 },
    { attempts: 5, ms: 10_000 },
    { attempts: 12, ms: 10_000 },
  ])("backs off $ms ms after $attempts attempts", ({ attempts, ms }) => {
    const { q } = queue();
    expect(q.backoffDuration({ pod: pod("p"), attempts, timestamp: 0, initialTimestamp: 0, unschedulablePlugins: new Set() })).toBe(ms);
  });

  it.each<{ name: string; rejectedBy: string[]; event: ClusterEvent; moves: boolean }>([
    { name: "resources: an assigned pod deleted", rejectedBy: ["NodeResourcesFit"], event: "AssignedPodDelete", moves: true },
    { name: "resources: a node added", rejectedBy: ["NodeResourcesFit"], event: "NodeAdd", moves: true },
    { name: "resources: a node's labels changed", rejectedBy: ["NodeResourcesFit"], event: "NodeLabelChange", moves: false },
    { name: "taints: a taint removed", rejectedBy: ["TaintToleration"], event: "NodeTaintChange", moves: true },
    { name: "taints: an assigned pod deleted", rejectedBy: ["TaintToleration"], event: "AssignedPodDelete", moves: false },
    { name: "affinity: a node label changed", rejectedBy: ["NodeAffinity"], event: "NodeLabelChange", moves: true },
    { name: "affinity: a node's allocatable changed", rejectedBy: ["NodeAffinity"], event: "NodeAllocatableChange", moves: false },
    { name: "two plugins: either one's event", rejectedBy: ["NodeAffinity", "TaintToleration"], event: "NodeTaintChange", moves: true },
    { name: "anti-affinity: an assigned pod deleted", rejectedBy: ["InterPodAffinity"], event: "AssignedPodDelete", moves: true },
    { name: "spread: a new assigned pod", rejectedBy: ["PodTopologySpread"], event: "AssignedPodAdd", moves: true },
    { name: "unschedulable node: spec.unschedulable cleared", rejectedBy: ["NodeUnschedulable"], event: "NodeSpecUnschedulableChange", moves: true },
    { name: "volumes: a claim bound", rejectedBy: ["VolumeBinding"], event: "PersistentVolumeClaimUpdate", moves: true },
    { name: "volumes: a volume added", rejectedBy: ["VolumeBinding"], event: "PersistentVolumeAdd", moves: true },
    { name: "volumes: an assigned pod deleted", rejectedBy: ["VolumeBinding"], event: "AssignedPodDelete", moves: false },
    { name: "resources: a volume added", rejectedBy: ["NodeResourcesFit"], event: "PersistentVolumeAdd", moves: false },
    { name: "a plugin that registers nothing: any event", rejectedBy: ["SomeOutOfTreePlugin"], event: "NodeConditionChange", moves: true },
  ])("$name → moves: $moves", ({ rejectedBy, event, moves }) => {
    const { q, clock } = queue();
    q.add(pod("p"));
    failAttempt(q, ...rejectedBy);
    expect(q.queueOf(key("p"))).toBe("unschedulable");
    clock.advance(5_000); // back-off (1 s) is over
    q.moveAllToActiveOrBackoffQueue(event);
    expect(q.queueOf(key("p"))).toBe(moves ? "active" : "unschedulable");
  });

  it("sends a pod an event helps to backoffQ while it backs off, then to activeQ when the back-off ends", () => {
    const { q, clock, wakes } = queue();
    q.add(pod("p"));
    failAttempt(q, "NodeResourcesFit");
    clock.advance(300);
    q.moveAllToActiveOrBackoffQueue("NodeAdd");
    expect(q.queueOf(key("p"))).toBe("backoff");
    const before = wakes();
    clock.advance(699);
    expect(q.queueOf(key("p"))).toBe("backoff");
    clock.advance(1);
    expect(q.queueOf(key("p"))).toBe("active");
    expect(wakes()).toBe(before + 1);
  });

  it("sends a pod to backoffQ, not unschedulableQ, when an event arrived during its attempt", () => {
    const { q } = queue();
    q.add(pod("p"));
    const popped = q.pop()!;
    q.moveAllToActiveOrBackoffQueue("NodeAdd");
    q.addUnschedulable(popped.pod.key, new Set(["NodeResourcesFit"]), q.cycle);
    expect(q.queueOf(key("p"))).toBe("backoff");
  });

  it("sends a pod that failed with an error (no rejecting plugin) to backoffQ", () => {
    const { q } = queue();
    q.add(pod("p"));
    failAttempt(q);
    expect(q.queueOf(key("p"))).toBe("backoff");
  });

  it("flushes a pod that waited the flush interval in unschedulableQ, without any event", () => {
    const { q, clock } = queue();
    q.add(pod("old"));
    failAttempt(q, "NodeResourcesFit");
    clock.advance(30_000);
    q.add(pod("young"));
    failAttempt(q, "NodeResourcesFit");
    clock.advance(FLUSH_MS - 30_000 - 1);
    expect(q.pendingPods()).toMatchObject({ unschedulable: 2, active: 0 });
    clock.advance(1);
    expect(q.queueOf(key("old"))).toBe("active");
    expect(q.queueOf(key("young"))).toBe("unschedulable");
    clock.advance(30_000);
    expect(q.queueOf(key("young"))).toBe("active");
  });

  it("retries an unschedulable pod whose own object changed, and keeps the newest object", () => {
    const { q, clock } = queue();
    q.add(pod("p", 1));
    failAttempt(q, "NodeAffinity");
    clock.advance(2_000);
    q.update(pod("p", 7));
    expect(q.queueOf(key("p"))).toBe("active");
    expect(q.pop()?.pod.priority).toBe(7);
  });

  it("forgets a deleted pod wherever it waits", () => {
    const { q } = queue();
    for (const name of ["a", "b", "c"]) q.add(pod(name));
    failAttempt(q, "NodeResourcesFit");
    q.pop();
    for (const name of ["a", "b", "c"]) q.delete(key(name));
    expect(q.pendingPods()).toEqual({ active: 0, backoff: 0, unschedulable: 0, inFlight: 0 });
  });

  it("counts attempts across retries, so the back-off grows", () => {
    const { q, clock } = queue();
    q.add(pod("p"));
    for (let i = 0; i < 3; i++) {
      failAttempt(q);
      clock.advance(10_000);
    }
    expect(q.pop()?.attempts).toBe(4);
  });
});

describe("nodeUpdateEvents", () => {
  const node = { metadata: { labels: { zone: "a" } }, spec: { taints: [] }, status: { allocatable: { cpu: "2" }, conditions: [{ type: "Ready", status: "True", lastHeartbeatTime: "t1" }] } };
  it.each<{ name: string; change: (n: any) => void; want: ClusterEvent[] }>([
    { name: "a heartbeat", change: (n) => (n.status.conditions[0].lastHeartbeatTime = "t2"), want: [] },
    { name: "a label", change: (n) => (n.metadata.labels.zone = "b"), want: ["NodeLabelChange"] },
    { name: "a taint", change: (n) => n.spec.taints.push({ key: "k", effect: "NoSchedule" }), want: ["NodeTaintChange"] },
    { name: "cordoned", change: (n) => (n.spec.unschedulable = true), want: ["NodeSpecUnschedulableChange"] },
    { name: "allocatable", change: (n) => (n.status.allocatable.cpu = "4"), want: ["NodeAllocatableChange"] },
    { name: "not ready", change: (n) => (n.status.conditions[0].status = "False"), want: ["NodeConditionChange"] },
  ])("$name → $want", ({ change, want }) => {
    const after = structuredClone(node);
    change(after);
    expect(nodeUpdateEvents(node, after)).toEqual(want);
  });
});

describe("Heap", () => {
  it("pops in order after random adds, updates and deletes", () => {
    let seed = 42;
    const random = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    const heap = new Heap<{ k: string; v: number }>((x) => x.k, (a, b) => a.v < b.v);
    const model = new Map<string, number>();
    for (let i = 0; i < 2000; i++) {
      const k = `k${Math.floor(random() * 300)}`;
      if (random() < 0.2) {
        heap.delete(k);
        model.delete(k);
      } else {
        const v = Math.floor(random() * 1000);
        heap.addOrUpdate({ k, v });
        model.set(k, v);
      }
    }
    const popped: number[] = [];
    for (let x = heap.pop(); x; x = heap.pop()) popped.push(x.v);
    expect(popped).toEqual([...model.values()].sort((a, b) => a - b));
  });
});
