import { Pod } from "../gen/capstan/v1/core.js";
import { ObjectBuilder, type JsonObject } from "./object-builder.js";

type ResourceList = Record<string, string>;

/**
 * A pod: `aPod("web-a").ownedBy(rs).onNode("node-1").readySince(t).json()`. One container "app"
 * (nginx:1.27) unless containers are added; no status unless one is said.
 */
export class PodBuilder extends ObjectBuilder {
  private readonly containers: JsonObject[] = [];
  private readonly spec: JsonObject = {};
  private status: JsonObject | undefined;

  constructor(name: string) {
    super("Pod", name);
  }

  withContainer(name: string, image = "nginx:1.27", fields: JsonObject = {}): this {
    this.containers.push({ name, image, ...fields });
    return this;
  }

  /** Requests of the last container added. */
  requesting(requests: ResourceList): this {
    const resources = (this.lastContainer()["resources"] ??= {}) as JsonObject;
    resources["requests"] = { ...(resources["requests"] as ResourceList | undefined), ...requests };
    return this;
  }

  /** Limits of the last container added. */
  limitedTo(limits: ResourceList): this {
    const resources = (this.lastContainer()["resources"] ??= {}) as JsonObject;
    resources["limits"] = { ...(resources["limits"] as ResourceList | undefined), ...limits };
    return this;
  }

  /** The ports of the last container added (`{ name: "http", containerPort: 8080, protocol: "TCP" }`). */
  exposing(...ports: JsonObject[]): this {
    this.lastContainer()["ports"] = ports;
    return this;
  }

  onNode(nodeName: string): this {
    this.spec["nodeName"] = nodeName;
    return this;
  }

  tolerating(...tolerations: JsonObject[]): this {
    this.spec["tolerations"] = [...((this.spec["tolerations"] as JsonObject[] | undefined) ?? []), ...tolerations];
    return this;
  }

  /** Other spec fields (hostname, subdomain, priorityClassName, …). */
  withSpec(fields: JsonObject): this {
    Object.assign(this.spec, fields);
    return this;
  }

  inPhase(phase: string): this {
    this.statusFields()["phase"] = phase;
    return this;
  }

  /** Running and Ready since `time`. */
  readySince(time: string): this {
    return this.withCondition("Ready", "True", { lastTransitionTime: time });
  }

  /** Running, but not Ready. */
  notReady(): this {
    return this.withCondition("Ready", "False");
  }

  withCondition(type: string, status: string, fields: JsonObject = {}): this {
    const s = this.statusFields();
    s["phase"] ??= "Running";
    s["conditions"] = [...((s["conditions"] as JsonObject[] | undefined) ?? []).filter((c) => c["type"] !== type), { type, status, ...fields }];
    return this;
  }

  withIP(ip: string): this {
    this.statusFields()["podIP"] = ip;
    return this;
  }

  /** Its first container restarted this often. */
  restarted(times: number): this {
    this.statusFields()["containerStatuses"] = [{ name: String(this.containerList()[0]!["name"]), restartCount: times }];
    return this;
  }

  /** When it was created (the gateway stamps its own time; pure functions read this). */
  createdAt(time: string): this {
    this.metadata["creationTimestamp"] = time;
    return this;
  }

  /** The typed message. */
  build(): Pod {
    return Pod.fromJSON(this.json());
  }

  protected body(): JsonObject {
    return { spec: { ...this.spec, containers: this.containerList() }, ...(this.status ? { status: this.status } : {}) };
  }

  private containerList(): JsonObject[] {
    return this.containers.length > 0 ? this.containers : [{ name: "app", image: "nginx:1.27" }];
  }

  private lastContainer(): JsonObject {
    if (this.containers.length === 0) this.containers.push({ name: "app", image: "nginx:1.27" });
    return this.containers.at(-1)!;
  }

  private statusFields(): JsonObject {
    return (this.status ??= {});
  }
}

export function aPod(name = "web"): PodBuilder {
  return new PodBuilder(name);
}
