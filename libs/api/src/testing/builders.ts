/**
 * Builders for test objects: `aPod("web").withContainer("app", "nginx").requesting({ cpu: "100m" })`.
 * Each call returns the builder; `build()` gives the typed message, `json()` its Kubernetes JSON.
 */
import { Container, Node, Pod, PodSpec, type Taint, type Toleration } from "../gen/capstan/v1/core.js";

type ResourceList = Record<string, string>;

export class PodBuilder {
  private readonly pod: Pod;

  constructor(name: string, namespace: string) {
    this.pod = Pod.fromPartial({ apiVersion: "v1", kind: "Pod", metadata: { name, namespace }, spec: {} });
  }

  private get spec(): PodSpec {
    return (this.pod.spec ??= PodSpec.create());
  }

  private lastContainer(): Container {
    const c = this.spec.containers.at(-1);
    if (!c) throw new Error("add a container first");
    return c;
  }

  withContainer(name: string, image = "nginx:1.27"): this {
    this.spec.containers.push(Container.fromPartial({ name, image }));
    return this;
  }

  /** Requests for the last container added. */
  requesting(requests: ResourceList): this {
    const c = this.lastContainer();
    c.resources = { requests: { ...(c.resources?.requests ?? {}), ...requests }, limits: c.resources?.limits ?? {} };
    return this;
  }

  /** Limits for the last container added. */
  limitedTo(limits: ResourceList): this {
    const c = this.lastContainer();
    c.resources = { requests: c.resources?.requests ?? {}, limits: { ...(c.resources?.limits ?? {}), ...limits } };
    return this;
  }

  labelled(labels: Record<string, string>): this {
    Object.assign(this.pod.metadata!.labels, labels);
    return this;
  }

  onNode(nodeName: string): this {
    this.spec.nodeName = nodeName;
    return this;
  }

  tolerating(toleration: Partial<Toleration>): this {
    this.spec.tolerations.push({ key: "", operator: "", value: "", effect: "", ...toleration });
    return this;
  }

  build(): Pod {
    return Pod.fromPartial(this.pod);
  }

  json(): Record<string, unknown> {
    return Pod.toJSON(this.pod) as Record<string, unknown>;
  }
}

export class NodeBuilder {
  private readonly node: Node;

  constructor(name: string) {
    this.node = Node.fromPartial({ apiVersion: "v1", kind: "Node", metadata: { name }, spec: {}, status: {} });
  }

  withCapacity(capacity: ResourceList): this {
    this.node.status!.capacity = { ...capacity };
    return this;
  }

  withAllocatable(allocatable: ResourceList): this {
    this.node.status!.allocatable = { ...allocatable };
    return this;
  }

  tainted(taint: Partial<Taint> & { key: string }): this {
    this.node.spec!.taints.push({ value: "", effect: "NoSchedule", timeAdded: "", ...taint });
    return this;
  }

  build(): Node {
    return Node.fromPartial(this.node);
  }

  json(): Record<string, unknown> {
    return Node.toJSON(this.node) as Record<string, unknown>;
  }
}

export function aPod(name = "web", namespace = "default"): PodBuilder {
  return new PodBuilder(name, namespace);
}

export function aNode(name = "node-1"): NodeBuilder {
  return new NodeBuilder(name);
}
