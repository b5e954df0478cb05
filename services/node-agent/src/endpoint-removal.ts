/**
 * A gracefully deleted pod that is a ready endpoint of some Service keeps its SIGTERM until the
 * EndpointSlices no longer list it as ready (the endpoints controller marks it terminating), so the
 * Service proxies stop sending it new connections before it starts to shut down. Kubernetes leaves
 * this to a preStop sleep; here the agent waits for the change itself, bounded.
 *
 * Every node's proxy reads the same EndpointSlice watch as this agent, so "this agent's informer saw
 * the change" stands for "the proxies saw it". What remains is the spread between those watchers (the
 * same JetStream message reaching other agents a little later, milliseconds unless a machine is
 * overloaded): a connection a slower proxy makes in that window finds a pod that has just been told to
 * stop, which must still serve what it has accepted (and is refused afterwards, which the proxy retries).
 */
import type { JsonObject } from "@capstan/client";
import type { Informer } from "@capstan/controller-runtime";

/** The longest SIGTERM waits for the endpoint to be marked not ready: the endpoints controller normally takes well under a second. */
export const ENDPOINT_REMOVAL_MAX_WAIT_MS = 5_000;

/** What the container keeps of its grace period after the wait, at least (the kubelet's minimumGracePeriodInSeconds). */
export const MIN_GRACE_AFTER_WAIT_SECONDS = 2;

/** EndpointSlices by the uid of each pod their endpoints point at (targetRef). */
const POD_UID_INDEX = "endpointPodUid";

interface EndpointJson {
  conditions?: { ready?: boolean };
  targetRef?: { kind?: string; uid?: string };
}

const endpointsOf = (slice: JsonObject) => (slice["endpoints"] ?? []) as EndpointJson[];

/** The uid of the pod an endpoint points at, if it points at one. */
const podUidOf = (e: EndpointJson) => ((e.targetRef?.kind ?? "Pod") === "Pod" ? e.targetRef?.uid || undefined : undefined);

/** The uids of the pods the slice's endpoints point at. */
export function podUidsOf(slice: JsonObject): string[] {
  return endpointsOf(slice).flatMap((e) => podUidOf(e) ?? []);
}

/**
 * Whether some slice still lists the pod (by targetRef) as a ready endpoint; an unset ready condition
 * counts as ready, as the proxy reads it. A pod no slice names (no Service selects it) is not one.
 */
export function isReadyEndpoint(slices: readonly JsonObject[], podUid: string): boolean {
  return slices.some((slice) => endpointsOf(slice).some((e) => podUidOf(e) === podUid && e.conditions?.ready !== false));
}

/**
 * How long SIGTERM may wait for the endpoint removal: at most `maxWaitMs`, and never so long that the
 * container keeps less than MIN_GRACE_AFTER_WAIT_SECONDS of its grace period (so none for a grace period
 * that short, or an immediate deletion).
 */
export function endpointRemovalTimeoutMs(gracePeriodSeconds: number, maxWaitMs = ENDPOINT_REMOVAL_MAX_WAIT_MS): number {
  if (!Number.isFinite(gracePeriodSeconds)) return 0;
  return Math.max(0, Math.min(maxWaitMs, (gracePeriodSeconds - MIN_GRACE_AFTER_WAIT_SECONDS) * 1000));
}

/** How a wait ended: the endpoint was marked not ready (or never was a ready one), or the time ran out. */
export interface EndpointRemoval {
  readonly removed: boolean;
  readonly waitedMs: number;
}

interface Waiter {
  readonly check: () => void;
}

/** Waits on an EndpointSlice informer (the one the proxy uses) for pods to stop being ready endpoints. */
export class EndpointRemovalWatch {
  private readonly waiters = new Map<string, Set<Waiter>>();

  constructor(
    private readonly slices: Informer,
    private readonly now: () => number = Date.now,
  ) {
    slices.addIndexer(POD_UID_INDEX, podUidsOf);
    const wake = (slice: JsonObject) => {
      for (const uid of podUidsOf(slice)) for (const w of this.waiters.get(uid) ?? []) w.check();
    };
    slices.addEventHandler({
      onAdd: wake,
      onUpdate: (old, slice) => {
        wake(old);
        wake(slice);
      },
      onDelete: wake,
    });
  }

  /** Whether the slices this agent sees list the pod as a ready endpoint now. */
  isReadyEndpoint(podUid: string): boolean {
    return isReadyEndpoint(this.slices.byIndex(POD_UID_INDEX, podUid), podUid);
  }

  /**
   * Resolves once no slice lists the pod as a ready endpoint, at once when none does, or after
   * timeoutMs (removed: false). Before the informer's first list it waits for that list, within the time.
   * It resolves after every handler of the change that removed the endpoint has run, this agent's proxy among them.
   */
  async waitUntilNotReady(podUid: string, timeoutMs: number): Promise<EndpointRemoval> {
    const start = this.now();
    if (timeoutMs <= 0) return { removed: !this.isReadyEndpoint(podUid), waitedMs: 0 };
    return new Promise((resolve) => {
      let done = false;
      const finish = (removed: boolean) => {
        if (done) return;
        done = true;
        clearTimeout(timer);
        const set = this.waiters.get(podUid);
        set?.delete(waiter);
        if (set?.size === 0) this.waiters.delete(podUid);
        resolve({ removed, waitedMs: this.now() - start });
      };
      const waiter: Waiter = { check: () => this.slices.hasSynced && !this.isReadyEndpoint(podUid) && finish(true) };
      const timer = setTimeout(() => finish(false), timeoutMs);
      let set = this.waiters.get(podUid);
      if (!set) this.waiters.set(podUid, (set = new Set()));
      set.add(waiter);
      waiter.check();
      if (!this.slices.hasSynced) void this.slices.synced.then(waiter.check);
    });
  }
}
