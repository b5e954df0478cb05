import { arch, release } from "node:os";
import { fromApiObject, toApiObject } from "@capstan/api";
import { isCapstanError } from "@capstan/apimachinery";
import type { CapstanClient, JsonObject } from "@capstan/client";
import type { NodeAgentConfig } from "./config.js";

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

/** Registers the Node (or takes over an existing one) and keeps its Ready condition fresh. */
export class NodeRegistration {
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly client: CapstanClient,
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
    try {
      await this.client.create(toApiObject(node));
      this.log(`registered node ${this.config.nodeName}`);
    } catch (e) {
      if (!isCapstanError(e, "AlreadyExists")) throw e;
      await this.heartbeat();
      this.log(`node ${this.config.nodeName} already registered; taking it over`);
    }
  }

  start(): void {
    this.timer = setInterval(() => {
      this.heartbeat().catch((e: unknown) => this.log(`heartbeat: ${e instanceof Error ? e.message : String(e)}`));
    }, this.config.heartbeatSeconds * 1000);
  }

  stop(): void {
    clearInterval(this.timer);
  }

  private async heartbeat(): Promise<void> {
    const current = fromApiObject(await this.client.get({ kind: "Node", namespace: "", name: this.config.nodeName })).json;
    const status = nodeStatus(this.config, this.port, new Date().toISOString(), current["status"] as JsonObject);
    // No resourceVersion: the agent owns its Node's status, so the newest heartbeat simply wins.
    const { resourceVersion: _rv, ...metadata } = current["metadata"] as JsonObject;
    await this.client.updateStatus(toApiObject({ ...current, metadata, status }));
  }
}
