/**
 * kube-scheduler's PriorityQueue (pkg/scheduler/internal/queue): every pending pod is in exactly one of
 * - activeQ: ready to be tried, in the profile's QueueSort order (priority, then age);
 * - backoffQ: tried and failed recently, waiting out a per-pod exponential back-off (1 s doubling to 10 s);
 * - unschedulableQ: no node fitted; it leaves when a cluster event one of its rejecting plugins cares
 *   about happens, or when it has waited the flush interval;
 * or in flight (popped, being scheduled). An event that arrives while a pod is in flight sends that
 * pod to backoffQ rather than unschedulableQ if it fails, so the event is not lost (moveRequestCycle).
 * Nominations after preemption are kept beside it, by the Nominator (nominator.ts).
 * Pure apart from the clock: one timer, set for the earliest back-off expiry or flush.
 */
import type { Clock, Timer } from "@capstan/apimachinery";
import type { PodInfo } from "../framework/pod-info.js";
import { Heap } from "./heap.js";
import { mayMakeSchedulable, type ClusterEvent } from "./cluster-events.js";

export interface QueuedPodInfo {
  pod: PodInfo;
  /** Scheduling attempts so far; the back-off doubles with each. */
  attempts: number;
  /** When the pod last entered a queue or was popped: back-off and flush count from here. */
  timestamp: number;
  /** When the pod first entered the queue: its end-to-end scheduling latency counts from here. */
  readonly initialTimestamp: number;
  /** The plugins that rejected it in its last attempt. */
  unschedulablePlugins: ReadonlySet<string>;
}

export interface SchedulingQueueOptions {
  readonly clock: Clock;
  /** The profile's QueueSort: true when `a` goes before `b`. */
  readonly less: (a: PodInfo, b: PodInfo) => boolean;
  /** kube-scheduler's podInitialBackoffSeconds (1 s) and podMaxBackoffSeconds (10 s). */
  readonly initialBackoffMs?: number;
  readonly maxBackoffMs?: number;
  /** The longest a pod stays in unschedulableQ without an event (CAPSTAN_UNSCHEDULABLE_RETRY_MS). */
  readonly unschedulableFlushMs: number;
  /** Called when activeQ gains pods, so the scheduling loop wakes. */
  readonly onActive?: () => void;
}

type Where = "active" | "backoff" | "unschedulable" | "inFlight";

export class SchedulingQueue {
  private readonly activeQ: Heap<QueuedPodInfo>;
  private readonly backoffQ: Heap<QueuedPodInfo>;
  /** In insertion order, which is timestamp order: the flush walks only the pods it moves. */
  private readonly unschedulableQ = new Map<string, QueuedPodInfo>();
  private readonly inFlight = new Map<string, QueuedPodInfo>();
  private readonly where = new Map<string, Where>();
  private schedulingCycle = 0;
  private moveRequestCycle = -1;
  private timer: { at: number; handle: Timer } | undefined;
  private closed = false;
  private readonly initialBackoffMs: number;
  private readonly maxBackoffMs: number;

  constructor(private readonly opts: SchedulingQueueOptions) {
    this.initialBackoffMs = opts.initialBackoffMs ?? 1000;
    this.maxBackoffMs = opts.maxBackoffMs ?? 10_000;
    this.activeQ = new Heap((q) => q.pod.key, (a, b) => opts.less(a.pod, b.pod));
    this.backoffQ = new Heap((q) => q.pod.key, (a, b) => this.backoffExpiry(a) < this.backoffExpiry(b));
  }

  /** A new pending pod (or one seen again): activeQ, unless it is already queued or in flight. */
  add(pod: PodInfo): void {
    if (this.where.has(pod.key)) return this.update(pod);
    const now = this.opts.clock.now();
    this.toActive({ pod, attempts: 0, timestamp: now, initialTimestamp: now, unschedulablePlugins: new Set() });
  }

  /**
   * The pod's object changed. Queued pods take the new object; an unschedulable one is tried again,
   * since its own change may be what it needed (kube-scheduler moves it unless the change is irrelevant).
   */
  update(pod: PodInfo): void {
    const where = this.where.get(pod.key);
    if (where === undefined) return this.add(pod);
    const queued = this.find(pod.key, where)!;
    queued.pod = pod;
    if (where === "active") this.activeQ.addOrUpdate(queued);
    else if (where === "backoff") this.backoffQ.addOrUpdate(queued);
    else if (where === "unschedulable") {
      this.unschedulableQ.delete(pod.key);
      this.toActiveOrBackoff(queued);
      this.arm();
    }
  }

  /** The pod is gone, bound, or no longer this scheduler's. */
  delete(key: string): void {
    const where = this.where.get(key);
    if (where === "active") this.activeQ.delete(key);
    else if (where === "backoff") this.backoffQ.delete(key);
    else if (where === "unschedulable") this.unschedulableQ.delete(key);
    else if (where === "inFlight") this.inFlight.delete(key);
    this.where.delete(key);
  }

  /** The next pod to try, now in flight; undefined when activeQ is empty. */
  pop(): QueuedPodInfo | undefined {
    const queued = this.activeQ.pop();
    if (!queued) return undefined;
    this.schedulingCycle++;
    queued.attempts++;
    queued.timestamp = this.opts.clock.now();
    this.inFlight.set(queued.pod.key, queued);
    this.where.set(queued.pod.key, "inFlight");
    return queued;
  }

  /** The scheduling cycle of the last pop; pass it back to addUnschedulable. */
  get cycle(): number {
    return this.schedulingCycle;
  }

  /** An in-flight pod was bound (or handed to the binder): it leaves the queue. */
  done(key: string): void {
    if (this.where.get(key) !== "inFlight") return;
    this.inFlight.delete(key);
    this.where.delete(key);
  }

  /**
   * An in-flight pod failed (AddUnschedulableIfNotPresent). Rejected by plugins: unschedulableQ until an
   * event they care about, unless one already happened during its attempt. An error (no plugins): backoffQ.
   */
  addUnschedulable(key: string, unschedulablePlugins: ReadonlySet<string>, podSchedulingCycle: number): void {
    const queued = this.inFlight.get(key);
    if (!queued) return;
    this.inFlight.delete(key);
    queued.unschedulablePlugins = unschedulablePlugins;
    queued.timestamp = this.opts.clock.now();
    if (this.moveRequestCycle >= podSchedulingCycle || unschedulablePlugins.size === 0) {
      this.backoffQ.addOrUpdate(queued);
      this.where.set(key, "backoff");
    } else {
      this.unschedulableQ.set(key, queued);
      this.where.set(key, "unschedulable");
    }
    this.arm();
  }

  /** A cluster event: every unschedulable pod it may help goes to activeQ, or backoffQ while backing off. */
  moveAllToActiveOrBackoffQueue(event: ClusterEvent): void {
    let moved = false;
    for (const [key, queued] of this.unschedulableQ) {
      if (!mayMakeSchedulable(event, queued.unschedulablePlugins)) continue;
      this.unschedulableQ.delete(key);
      this.toActiveOrBackoff(queued);
      moved = true;
    }
    this.moveRequestCycle = this.schedulingCycle;
    if (moved) this.arm();
  }

  /** kube-scheduler's calculateBackoffDuration: initial × 2^(attempts-1), at most the maximum. */
  backoffDuration(q: QueuedPodInfo): number {
    let d = this.initialBackoffMs;
    for (let i = 1; i < q.attempts && d < this.maxBackoffMs; i++) d *= 2;
    return Math.min(d, this.maxBackoffMs);
  }

  /** Pods per queue (kube-scheduler's PendingPods summary). */
  pendingPods(): { active: number; backoff: number; unschedulable: number; inFlight: number } {
    return { active: this.activeQ.size, backoff: this.backoffQ.size, unschedulable: this.unschedulableQ.size, inFlight: this.inFlight.size };
  }

  /** Where the pod waits, for tests and debugging. */
  queueOf(key: string): Where | undefined {
    return this.where.get(key);
  }

  close(): void {
    this.closed = true;
    this.timer?.handle.cancel();
    this.timer = undefined;
  }

  // ---- internals ----

  private find(key: string, where: Where): QueuedPodInfo | undefined {
    switch (where) {
      case "active":
        return this.activeQ.get(key);
      case "backoff":
        return this.backoffQ.get(key);
      case "unschedulable":
        return this.unschedulableQ.get(key);
      case "inFlight":
        return this.inFlight.get(key);
    }
  }

  private backoffExpiry(q: QueuedPodInfo): number {
    return q.timestamp + this.backoffDuration(q);
  }

  private toActive(queued: QueuedPodInfo): void {
    this.activeQ.addOrUpdate(queued);
    this.where.set(queued.pod.key, "active");
    this.opts.onActive?.();
  }

  private toActiveOrBackoff(queued: QueuedPodInfo): void {
    if (this.backoffExpiry(queued) > this.opts.clock.now()) {
      this.backoffQ.addOrUpdate(queued);
      this.where.set(queued.pod.key, "backoff");
    } else {
      this.toActive(queued);
    }
  }

  /** Sets the one timer for the earliest of: the first back-off expiry, the first unschedulable flush. */
  private arm(): void {
    if (this.closed) return;
    const backoffTop = this.backoffQ.peek();
    const oldest = this.unschedulableQ.values().next().value;
    const candidates = [
      backoffTop ? this.backoffExpiry(backoffTop) : Infinity,
      oldest ? oldest.timestamp + this.opts.unschedulableFlushMs : Infinity,
    ];
    const at = Math.min(...candidates);
    if (at === Infinity || (this.timer && this.timer.at <= at)) return;
    this.timer?.handle.cancel();
    this.timer = { at, handle: this.opts.clock.setTimeout(() => this.onTimer(), Math.max(0, at - this.opts.clock.now())) };
  }

  private onTimer(): void {
    this.timer = undefined;
    const now = this.opts.clock.now();
    for (let top = this.backoffQ.peek(); top && this.backoffExpiry(top) <= now; top = this.backoffQ.peek()) {
      this.backoffQ.pop();
      this.toActive(top);
    }
    for (const [key, queued] of this.unschedulableQ) {
      if (queued.timestamp + this.opts.unschedulableFlushMs > now) break;
      this.unschedulableQ.delete(key);
      this.toActiveOrBackoff(queued);
    }
    this.arm();
  }
}
