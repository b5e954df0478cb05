import { context, type Context, type Meter, type Tracer } from "@opentelemetry/api";
import { Pod, keyOf, metaOf, objectOf, toApiObject, type Volume } from "@capstan/api";
import { isCapstanError } from "@capstan/apimachinery";
import type { CapstanClient, EventRecorder, JsonObject, ReflectorEvent, ReflectorHandler } from "@capstan/client";
import { contextFromTraceparent, objectAttributes, withSpan, type TraceContextCarrier } from "@capstan/telemetry";
import { ClaimNotMountableError, hasClaimVolumes, resolveClaimVolumes, withResolvedVolumes } from "./claim-volumes.js";
import { endpointRemovalTimeoutMs, type EndpointRemovalWatch } from "./endpoint-removal.js";
import { PodMetrics } from "./pod-metrics.js";
import { podStatusFrom, podStatusHasChanged } from "./pod-status.js";
import { ReportQueue } from "./report-queue.js";
import type { Runtime, RuntimeEvent } from "./runtime/index.js";
import { isMirrorPod } from "./static-pods/static-pod-source.js";

const uidOf = (pod: JsonObject) => metaOf(pod).uid;

/** How soon a pod whose claim could not be mounted is tried again. */
const CLAIM_RETRY_MS = 2_000;

export interface PodManagerOptions {
  /** The address of the node a pod runs on (status.hostIP). */
  readonly hostIP: (pod: JsonObject) => string;
  /** Pod status writes in flight at most. */
  readonly maxStatusWritesInFlight: number;
  /**
   * The EndpointSlices the service proxy reads: a deleted pod that is a ready endpoint gets SIGTERM only
   * once they mark it not ready (bounded). Without it (the simulated fleet), pods stop at once.
   */
  readonly endpointRemovals?: EndpointRemovalWatch;
  /** The static pods this node runs from files: their mirrors in the API are theirs, not pods to run. */
  readonly staticPods?: { isStatic(uid: string): boolean; mirrorChanged(mirror: JsonObject): void };
  /** Where the pod metrics go; the global meter provider's by default. */
  readonly meter?: Meter;
}

/** A runtime's event about a pod, as an Event on it (the container's as its fieldPath). */
export function recordRuntimeEvent(recorder: EventRecorder, pod: JsonObject, e: RuntimeEvent): void {
  recorder.record(pod, e.type, e.reason, e.message, e.container ? `spec.containers{${e.container}}` : "");
}

/**
 * Runs this node's pods as the API says: starts and updates them through the Runtime, stops them
 * gracefully when they are deleted (then removes them from the API), and reports their status.
 */
export class PodManager implements ReflectorHandler {
  private readonly pods = new Map<string, JsonObject>();
  private readonly terminating = new Set<string>();
  /** Each pod's volumes with its claims resolved to host directories, read once per pod. */
  private readonly claimVolumes = new Map<string, Volume[]>();
  private readonly reports: ReportQueue;
  private readonly metrics: PodMetrics;
  /** The NodeAgent/StartPod span of each pod that started in a trace: its status writes belong to it. */
  private readonly starts = new Map<string, Context>();

  constructor(
    private readonly runtime: Runtime,
    private readonly client: CapstanClient,
    private readonly recorder: EventRecorder,
    private readonly tracer: Tracer,
    private readonly log: (m: string) => void,
    private readonly opts: PodManagerOptions,
  ) {
    this.reports = new ReportQueue({
      write: (uid) => this.report(uid),
      failed: (uid, e) => {
        if (isCapstanError(e, "NotFound") || isCapstanError(e, "Conflict")) return false;
        this.log(`reporting status of pod ${uid}: ${e instanceof Error ? e.message : String(e)}`);
        return true;
      },
      maxInFlight: opts.maxStatusWritesInFlight,
      coalesceMs: 50,
      retryMs: 1000,
    });
    this.metrics = new PodMetrics(runtime, opts.meter);
    runtime.onStatusChange((uid) => this.reports.add(uid));
    runtime.onEvent((e) => {
      const pod = this.pods.get(e.podUid);
      if (pod) recordRuntimeEvent(this.recorder, pod, e);
    });
  }

  /** The pod a log request names, if it runs here. */
  uidFor(namespace: string, name: string): string | undefined {
    for (const [uid, pod] of this.pods) {
      const meta = metaOf(pod);
      if (meta.namespace === namespace && meta.name === name) return uid;
    }
    return undefined;
  }

  async replace(all: JsonObject[], _revision?: number, traces: Readonly<Record<string, TraceContextCarrier>> = {}): Promise<void> {
    for (const pod of all) if (isMirrorPod(pod)) this.opts.staticPods?.mirrorChanged(pod);
    const objects = all.filter((pod) => !isMirrorPod(pod));
    const wanted = new Set(objects.map(uidOf));
    for (const uid of this.claimVolumes.keys()) if (!wanted.has(uid)) this.claimVolumes.delete(uid);
    for (const uid of this.starts.keys()) if (!wanted.has(uid)) this.starts.delete(uid);
    for (const uid of this.runtime.runningPods()) {
      if (!wanted.has(uid) && !this.opts.staticPods?.isStatic(uid)) await this.stop(uid, 0);
    }
    for (const pod of objects) await this.podChanged(pod, traces[uidOf(pod)]);
  }

  async apply(e: ReflectorEvent): Promise<void> {
    // A mirror pod goes to the static pods, which know whether it is still right.
    if (isMirrorPod(e.object)) return this.opts.staticPods?.mirrorChanged(e.object);
    const uid = uidOf(e.object);
    if (e.type === "DELETED") {
      this.pods.delete(uid);
      this.claimVolumes.delete(uid);
      this.metrics.forget(uid);
      this.starts.delete(uid);
      if (this.runtime.status(uid)) await this.stop(uid, 0);
      return;
    }
    await this.podChanged(e.object, e);
  }

  /**
   * A pod first seen here, by its event or in a list, starts in the trace of its last write
   * (NodeAgent/StartPod), so create → schedule → start → status reads as one trace.
   */
  private async podChanged(pod: JsonObject, written: Pick<ReflectorEvent, "traceparent" | "tracestate"> | undefined): Promise<void> {
    const uid = uidOf(pod);
    if (this.pods.has(uid) || !written?.traceparent) return this.podSeen(pod);
    await withSpan(
      this.tracer,
      "NodeAgent/StartPod",
      objectAttributes(pod),
      async () => {
        this.starts.set(uid, context.active());
        await this.podSeen(pod);
      },
      contextFromTraceparent(written.traceparent, written.tracestate),
    );
  }

  private async podSeen(pod: JsonObject): Promise<void> {
    const uid = uidOf(pod);
    this.pods.set(uid, pod);
    if (metaOf(pod).deletionTimestamp !== undefined) {
      void this.terminate(pod);
      return;
    }
    const runnable = await this.withClaimVolumes(uid, Pod.fromJSON(pod));
    if (!runnable) return;
    await this.runtime.syncPod(runnable);
    this.reports.add(uid);
  }

  /**
   * The pod with its claim volumes resolved, or undefined while a claim cannot be mounted (a FailedMount
   * event, and another try shortly, as the kubelet's volume manager waits for its volumes).
   */
  private async withClaimVolumes(uid: string, pod: Pod): Promise<Pod | undefined> {
    if (!hasClaimVolumes(pod)) return pod;
    let volumes = this.claimVolumes.get(uid);
    if (!volumes) {
      try {
        volumes = await resolveClaimVolumes(pod, this.client);
      } catch (e) {
        if (!(e instanceof ClaimNotMountableError) && !isCapstanError(e, "NotFound")) throw e;
        const json = this.pods.get(uid);
        if (json) this.recorder.record(json, "Warning", "FailedMount", `Unable to attach or mount volumes: ${e.message}`);
        setTimeout(() => {
          const current = this.pods.get(uid);
          if (current) void this.podSeen(current).catch((err: unknown) => this.log(`starting pod ${uid}: ${err instanceof Error ? err.message : String(err)}`));
        }, CLAIM_RETRY_MS).unref();
        return undefined;
      }
      this.claimVolumes.set(uid, volumes);
    }
    return withResolvedVolumes(pod, volumes);
  }

  /**
   * Graceful deletion: once the Service proxies no longer send the pod new connections, stop the
   * containers within what is left of the grace period, then let the API forget the pod.
   */
  private async terminate(pod: JsonObject): Promise<void> {
    const uid = uidOf(pod);
    if (this.terminating.has(uid)) return;
    this.terminating.add(uid);
    try {
      const grace = metaOf(pod).deletionGracePeriodSeconds ?? 30;
      const waitedMs = await this.waitForEndpointRemoval(pod, grace);
      await this.stop(uid, grace - waitedMs / 1000);
      // Nobody else finishes the deletion: keep trying while the pod is ours (a call in flight when
      // the gateway restarts fails even though the gateway will be back in a moment).
      for (let attempt = 0; this.pods.has(uid); attempt++) {
        try {
          await this.client.delete({
            kind: "Pod",
            namespace: metaOf(pod).namespace,
            name: metaOf(pod).name,
            gracePeriodSeconds: 0,
            preconditions: { uid },
          });
          return;
        } catch (e) {
          if (isCapstanError(e, "NotFound") || isCapstanError(e, "Conflict")) return;
          this.log(`finishing deletion of pod ${uid}: ${e instanceof Error ? e.message : String(e)}; retrying`);
          await new Promise((r) => setTimeout(r, Math.min(5000, 250 * 2 ** attempt)));
        }
      }
    } finally {
      this.terminating.delete(uid);
    }
  }

  /**
   * Holds SIGTERM back while the EndpointSlices still list the pod as a ready endpoint (the endpoints
   * controller has not marked it terminating yet), at most endpointRemovalTimeoutMs of its grace period;
   * returns how long it waited. A pod no Service selects does not wait.
   */
  private async waitForEndpointRemoval(pod: JsonObject, grace: number): Promise<number> {
    const removals = this.opts.endpointRemovals;
    if (!removals) return 0;
    const { removed, waitedMs } = await removals.waitUntilNotReady(uidOf(pod), endpointRemovalTimeoutMs(grace));
    if (!removed) {
      const name = keyOf(pod);
      this.log(`pod ${name} is still a ready endpoint after ${waitedMs} ms; stopping it anyway`);
    }
    return waitedMs;
  }

  private async stop(uid: string, grace: number): Promise<void> {
    await this.runtime.killPod(uid, grace);
  }

  private async report(uid: string): Promise<void> {
    const pod = this.pods.get(uid);
    const runtimeStatus = this.runtime.status(uid);
    if (!pod || !runtimeStatus) return;
    this.metrics.reported(pod, runtimeStatus);
    const status = podStatusFrom(pod, runtimeStatus, this.opts.hostIP(pod), new Date().toISOString());
    // Our own write comes back as an event that syncs the pod again: that must not write once more.
    if (!podStatusHasChanged(objectOf(pod["status"]), status)) return;
    // The agent owns its pods' status; the uid (not the resourceVersion) guards against a recreated namesake.
    const { resourceVersion: _rv, ...metadata } = metaOf(pod).json;
    const parent = this.starts.get(uid);
    if (!parent) {
      await this.client.updateStatus(toApiObject({ ...pod, metadata, status }));
      return;
    }
    await withSpan(
      this.tracer,
      "NodeAgent/UpdateStatus",
      { ...objectAttributes(pod), "capstan.pod.phase": String(status["phase"] ?? "") },
      async (span) => {
        const written = await this.client.updateStatus(toApiObject({ ...pod, metadata, status }));
        span.setAttributes(objectAttributes({ kind: "Pod", metadata: written.pod?.metadata }));
      },
      parent,
    );
  }
}
