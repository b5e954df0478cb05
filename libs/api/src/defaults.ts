/**
 * Defaulting, as Kubernetes does it on create (pkg/apis/core/v1/defaults.go): fields a user may leave
 * out get the value a Kubernetes user expects. Pure: returns a new object and never overwrites a value
 * the user set. uid, timestamps and the namespace are the gateway's to set, not defaults.
 */
import {
  Container,
  EmptyDirVolumeSource,
  Namespace,
  NamespaceStatus,
  Node,
  Pod,
  PodSpec,
  PodStatus,
} from "./gen/capstan/v1/core.js";
import { kindInfo } from "./kinds.js";
import { podQOSClass } from "./pod-resources.js";

export const DEFAULT_TERMINATION_GRACE_PERIOD_SECONDS = 30;
export const DEFAULT_SCHEDULER_NAME = "default-scheduler";
export const DEFAULT_TERMINATION_MESSAGE_PATH = "/dev/termination-log";

/** Kubernetes JSON with every default filled in; throws InvalidError for an unsupported kind. */
export function applyDefaults(kind: string, json: unknown): Record<string, unknown> {
  const info = kindInfo(kind);
  switch (info.kind) {
    case "Pod":
      return info.messageFns.toJSON(defaultPod(info.messageFns.fromJSON(json))) as Record<string, unknown>;
    case "Namespace":
      return info.messageFns.toJSON(defaultNamespace(info.messageFns.fromJSON(json))) as Record<string, unknown>;
    case "Node":
      return info.messageFns.toJSON(defaultNode(info.messageFns.fromJSON(json))) as Record<string, unknown>;
    case "Event":
      return info.messageFns.toJSON(info.messageFns.fromJSON(json)) as Record<string, unknown>;
  }
}

/** A defaulted copy of a typed pod. */
export function defaultPod(pod: Pod): Pod {
  const out = Pod.fromPartial(pod);
  const spec = (out.spec ??= PodSpec.create());
  spec.restartPolicy ||= "Always";
  spec.terminationGracePeriodSeconds ??= DEFAULT_TERMINATION_GRACE_PERIOD_SECONDS;
  spec.dnsPolicy ||= "ClusterFirst";
  spec.schedulerName ||= DEFAULT_SCHEDULER_NAME;
  spec.containers.forEach(defaultContainer);
  for (const volume of spec.volumes) {
    if (volume.emptyDir === undefined && volume.hostPath === undefined) volume.emptyDir = EmptyDirVolumeSource.create();
  }
  const status = (out.status ??= PodStatus.create());
  status.phase ||= "Pending";
  status.qosClass ||= podQOSClass(out);
  return out;
}

function defaultContainer(c: Container): void {
  c.imagePullPolicy ||= defaultPullPolicy(c.image);
  c.terminationMessagePath ||= DEFAULT_TERMINATION_MESSAGE_PATH;
  c.terminationMessagePolicy ||= "File";
  for (const port of c.ports) port.protocol ||= "TCP";
  // A limit without a request requests the limit.
  const resources = c.resources;
  if (resources) for (const [name, limit] of Object.entries(resources.limits)) resources.requests[name] ??= limit;
}

/** Always for `:latest` or an untagged image, IfNotPresent for any other tag or a digest. */
export function defaultPullPolicy(image: string): "Always" | "IfNotPresent" {
  const at = image.indexOf("@");
  const named = at >= 0 ? image.slice(0, at) : image;
  const lastPart = named.slice(named.lastIndexOf("/") + 1);
  const colon = lastPart.lastIndexOf(":");
  const tag = colon >= 0 ? lastPart.slice(colon + 1) : at >= 0 ? "" : "latest";
  return tag === "latest" ? "Always" : "IfNotPresent";
}

export function defaultNamespace(ns: Namespace): Namespace {
  const out = Namespace.fromPartial(ns);
  const status = (out.status ??= NamespaceStatus.create());
  status.phase ||= "Active";
  return out;
}

export function defaultNode(node: Node): Node {
  const out = Node.fromPartial(node);
  // A node that reports no allocatable offers its whole capacity.
  if (out.status && Object.keys(out.status.allocatable).length === 0) {
    out.status.allocatable = { ...out.status.capacity };
  }
  return out;
}
