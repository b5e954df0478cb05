import { arch, release } from "node:os";
import { NodeStatus, arrayOf, fromApiObject, metaOf, objectOf, toApiObject, type ConditionJson } from "@capstan/api";
import { isCapstanError } from "@capstan/apimachinery";
import type { NodeLeases } from "@capstan/bus";
import type { CapstanClient, JsonObject } from "@capstan/client";
import { canonicalJson } from "./canonical-json.js";
import type { NodeAgentConfig } from "./config.js";

/** How long the node lease vouches for the node after a renewal (kubelet's nodeLeaseDurationSeconds). */
export const NODE_LEASE_DURATION_SECONDS = 40;

/** What an agent says about a node it runs: the real agent about its host, the simulated fleet about each of its nodes. */
export interface NodeDescription {
  readonly name: string;
  readonly capacity: Readonly<Record<string, string>>;
  readonly labels: Readonly<Record<string, string>>;
  readonly taints: readonly { key: string; value?: string | undefined; effect: string }[];
  readonly internalIP: string;
  /** Port of the kubelet-style endpoint (logs); 0 when there is none. */
  readonly kubeletPort: number;
  readonly osImage: string;
  readonly containerRuntimeVersion: string;
}

const ARCH = arch() === "x64" ? "amd64" : arch();

/** The host this process runs on, as the process runtime's node describes it. */
export function describeThisNode(config: NodeAgentConfig, port: number): NodeDescription {
  return {
    name: config.nodeName,
    capacity: config.capacity,
    labels: config.labels,
    taints: [],
    internalIP: config.nodeIP,
    kubeletPort: port,
    osImage: "capstan process runtime",
    containerRuntimeVersion: "process://capstan",
  };
}

/** The Node as an agent registers it: well-known labels, its taints, and a Ready status. */
export function nodeObject(node: NodeDescription, now: string): JsonObject {
  const labels = { "kubernetes.io/hostname": node.name, "kubernetes.io/os": "linux", "kubernetes.io/arch": ARCH, ...node.labels };
  return {
    apiVersion: "v1",
    kind: "Node",
    metadata: { name: node.name, labels },
    spec: node.taints.length > 0 ? { taints: node.taints } : {},
    status: nodeStatus(node, now),
  };
}

/** The node's status as its agent sees it: capacity, addresses, its log endpoint, and a fresh Ready. */
export function nodeStatus(node: NodeDescription, now: string, previous?: JsonObject): JsonObject {
  const oldReady = arrayOf<ConditionJson>(previous?.["conditions"]).find((c) => c.type === "Ready");
  const transition = oldReady?.status === "True" ? String(oldReady.lastTransitionTime) : now;
  return {
    capacity: node.capacity,
    allocatable: node.capacity,
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
      { type: "InternalIP", address: node.internalIP },
      { type: "Hostname", address: node.name },
    ],
    daemonEndpoints: { kubeletEndpoint: { port: node.kubeletPort } },
    nodeInfo: {
      kernelVersion: release(),
      osImage: node.osImage,
      containerRuntimeVersion: node.containerRuntimeVersion,
      kubeletVersion: "capstan-0.1.0",
      operatingSystem: "linux",
      architecture: ARCH,
    },
  };
}

/** A status with its heartbeat times left out: what says whether anything about the node changed. */
function withoutHeartbeat(status: JsonObject | undefined): string {
  const normalized = NodeStatus.fromJSON(status ?? {});
  normalized.conditions = normalized.conditions.map((c) => ({ ...c, lastHeartbeatTime: "" }));
  return canonicalJson(NodeStatus.toJSON(normalized));
}

/** Kubelet's nodeStatusHasChanged: anything but the heartbeat times. */
export function nodeStatusHasChanged(previous: JsonObject | undefined, next: JsonObject): boolean {
  return withoutHeartbeat(previous) !== withoutHeartbeat(next);
}

/**
 * The Node to send to UpdateStatus when its status changed (another component, such as the node
 * lifecycle controller marking it Unknown, counts) or `force`; undefined when nothing needs writing.
 */
export function nodeStatusUpdate(current: JsonObject, node: NodeDescription, now: string, force: boolean): JsonObject | undefined {
  const previous = objectOf(current["status"]);
  const status = nodeStatus(node, now, previous);
  if (!force && !nodeStatusHasChanged(previous, status)) return undefined;
  // No resourceVersion: the agent owns its Node's status, so the newest write simply wins.
  const { resourceVersion: _rv, ...metadata } = metaOf(current).json;
  return { ...current, metadata, status };
}

/**
 * Registers the Node (or takes over an existing one) and keeps it known to be alive as kubelet does:
 * the node lease is renewed every heartbeat, while the Node's status (an event in the log) is written
 * only when it changes, or every node status report period.
 */
export class NodeRegistration {
  private timer: NodeJS.Timeout | undefined;
  private lastReported = 0;
  private readonly node: NodeDescription;

  constructor(
    private readonly client: CapstanClient,
    private readonly leases: Pick<NodeLeases, "renew">,
    private readonly config: NodeAgentConfig,
    port: number,
    private readonly log: (m: string) => void,
  ) {
    this.node = describeThisNode(config, port);
  }

  async register(): Promise<void> {
    await this.renewLease();
    try {
      await this.client.create(toApiObject(nodeObject(this.node, new Date().toISOString())));
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

  /** Writes the Node's status if it changed or `force`; reading it costs no event. */
  private async syncStatus(force: boolean): Promise<void> {
    const current = fromApiObject(await this.client.get({ kind: "Node", namespace: "", name: this.config.nodeName })).json;
    const update = nodeStatusUpdate(current, this.node, new Date().toISOString(), force);
    if (!update) return;
    await this.client.updateStatus(toApiObject(update));
    this.lastReported = Date.now();
  }
}

function errorMessage(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
