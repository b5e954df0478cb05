import { Node } from "../gen/capstan/v1/core.js";
import { ObjectBuilder, type JsonObject } from "./object-builder.js";

type ResourceList = Record<string, string>;

/** A node: `aNode("node-1").ready("True", heartbeat).tainted({ key: "dedicated" }).json()`. */
export class NodeBuilder extends ObjectBuilder {
  private readonly taints: JsonObject[] = [];
  private status: JsonObject | undefined;

  constructor(name: string) {
    super("Node", name);
  }

  /** A taint, NoSchedule unless said. */
  tainted(taint: JsonObject & { key: string }): this {
    this.taints.push({ effect: "NoSchedule", ...taint });
    return this;
  }

  withCapacity(capacity: ResourceList): this {
    this.statusFields()["capacity"] = { ...capacity };
    return this;
  }

  withAllocatable(allocatable: ResourceList): this {
    this.statusFields()["allocatable"] = { ...allocatable };
    return this;
  }

  /** Its Ready condition: "True", "False" or "Unknown", heard from at `heartbeat` (ISO time). */
  ready(status: string, heartbeat?: string, fields: JsonObject = {}): this {
    return this.withCondition("Ready", status, { ...(heartbeat !== undefined ? { lastHeartbeatTime: heartbeat } : {}), ...fields });
  }

  withCondition(type: string, status: string, fields: JsonObject = {}): this {
    const s = this.statusFields();
    s["conditions"] = [...((s["conditions"] as JsonObject[] | undefined) ?? []).filter((c) => c["type"] !== type), { type, status, ...fields }];
    return this;
  }

  /** The typed message. */
  build(): Node {
    return Node.fromJSON(this.json());
  }

  protected body(): JsonObject {
    return { spec: { taints: this.taints }, ...(this.status ? { status: this.status } : {}) };
  }

  private statusFields(): JsonObject {
    return (this.status ??= {});
  }
}

export function aNode(name = "node-1"): NodeBuilder {
  return new NodeBuilder(name);
}
