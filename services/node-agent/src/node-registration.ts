import { arch, release } from "node:os";
import { NodeStatus, fromApiObject, toApiObject } from "@capstan/api";
import { isCapstanError } from "@capstan/apimachinery";
import type { NodeLeases } from "@capstan/bus";
import type { CapstanClient, JsonObject } from "@capstan/client";
import type { NodeAgentConfig } from "./config.js";

/** How long the node lease vouches for the node after a renewal (kubelet's nodeLeaseDurationSeconds). */
export const NODE_LEASE_DURATION_SECONDS = 40;

/** The Node object as this agent sees itself: capacity, addresses, its log endpoint, and a fresh Ready. */
function nodeStatus(config: NodeAgentConfig, port: number, now: string, previous?: JsonObject): JsonObject {
  const oldReady = ((previous?.["conditions"] ?? []) as JsonObject[]).find((c) => c["type"] === "Ready");
  const transition = oldReady?.["status"] === "True" ? String(oldReady["lastTransitionTime"]) : now;
  return {
    capacity: config.capacity,
    allocatable: config.capacity,
    conditions: [
      {
        type: "Ready",
        status: "True",
        reason: "KubeletReady",
        message: "capstan node agent is posting ready status",
        lastHeartbeatTime: now,
        lastTransitionTime: transition,
      },
    ],
    addresses: [
      { type: "InternalIP", address: "127.0.0.1" },
      { type: "Hostname", address: config.nodeName },
    ],
    daemonEndpoints: { kubeletEndpoint: { port } },
    nodeInfo: {
      kernelVersion: release(),
      osImage: "capstan process runtime",
      containerRuntimeVersion: "process://capstan",
      kubeletVersion: "capstan-0.1.0",
      operatingSystem: "linux",
      architecture: arch() === "x64" ? "amd64" : arch(),
    },
  };
}

/** A status with its heartbeat times left out: what says whether anything about the node changed. */
function withoutHeartbeat(status: JsonObject | undefined): string {
  const normalized = NodeStatus.fromJSON(status ?? {});
  normalized.conditions = normalized.conditions.map((c) => ({ ...c, lastHeartbeatTime: "" }));
  return canonicalJson(NodeStatus.toJSON(normalized));
}

/** JSON with object keys sorted: maps such as capacity come back from the store in another order. */
function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    v !== null && typeof v === "object" && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : v,
  );
}

/** Kubelet's nodeStatusHasChanged: anything but the heartbeat times. */
export function nodeStatusHasChanged(previous: JsonObject | undefined, next: JsonObject): boolean {
  return withoutHeartbeat(previous) !== withoutHeartbeat(next);
}

/**
 * Registers the Node (or takes over an existing one) and keeps it known to be alive as kubelet does:
 * the node lease is renewed every heartbeat, while the Node's status (an event in the log) is written
 * only when it changes, or every node status report period.
 */
export class NodeRegistration {
  private timer: NodeJS.Timeout | undefined;
  private lastReported = 0;

  constructor(
    private readonly client: CapstanClient,
    private readonly leases: Pick<NodeLeases, "renew">,
    private readonly config: NodeAgentConfig,
    private readonly port: number,
    private readonly log: (m: string) => void,
  ) {}

  async register(): Promise<void> {
    const labels = {
      "kubernetes.io/hostname": this.config.nodeName,
      "kubernetes.io/os": "linux",
      "kubernetes.io/arch": arch() === "x64" ? "amd64" : arch(),
      ...this.config.labels,
    };
    const node = {
      apiVersion: "v1",
      kind: "Node",
      metadata: { name: this.config.nodeName, labels },
      spec: {},
      status: nodeStatus(this.config, this.port, new Date().toISOString()),
    };
    await this.renewLease();
    try {
      await this.client.create(toApiObject(node));
      this.lastReported = Date.now();
      this.log(`registered node ${this.config.nodeName}`);
    } catch (e) {
      if (!isCapstanError(e, "AlreadyExists")) throw e;
      await this.syncStatus(true);
      this.log(`node ${this.config.nodeName} already registered; taking it over`);
    }
  }

  start(): void {
    this.timer = setInterval(() => void this.heartbeat(), this.config.heartbeatSeconds * 1000);
  }

  stop(): void {
    clearInterval(this.timer);
  }

  private async heartbeat(): Promise<void> {
    await this.renewLease().catch((e: unknown) => this.log(`renewing the node lease: ${errorMessage(e)}`));
    const due = Date.now() - this.lastReported >= this.config.nodeStatusReportSeconds * 1000;
    await this.syncStatus(due).catch((e: unknown) => this.log(`node status: ${errorMessage(e)}`));
  }

  private renewLease(): Promise<void> {
    return this.leases.renew(this.config.nodeName, NODE_LEASE_DURATION_SECONDS);
  }

  /**
   * Writes the Node's status if it changed (another component, such as the node lifecycle controller
   * marking it Unknown, counts) or `force`; reading it costs no event.
   */
  private async syncStatus(force: boolean): Promise<void> {
    const current = fromApiObject(await this.client.get({ kind: "Node", namespace: "", name: this.config.nodeName })).json;
    const previous = current["status"] as JsonObject | undefined;
    const status = nodeStatus(this.config, this.port, new Date().toISOString(), previous);
    if (!force && !nodeStatusHasChanged(previous, status)) return;
    // No resourceVersion: the agent owns its Node's status, so the newest write simply wins.
    const { resourceVersion: _rv, ...metadata } = current["metadata"] as JsonObject;
    await this.client.updateStatus(toApiObject({ ...current, metadata, status }));
    this.lastReported = Date.now();
  }
}

function errorMessage(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
