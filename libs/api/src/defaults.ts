/**
 * Defaulting, as Kubernetes does it on create (pkg/apis/core/v1/defaults.go): fields a user may leave
 * out get the value a Kubernetes user expects. Pure: returns a new object and never overwrites a value
 * the user set. uid, timestamps and the namespace are the gateway's to set, not defaults.
 */
import { Deployment, DeploymentSpec, DeploymentStrategy, ReplicaSet, ReplicaSetSpec, RollingUpdateDeployment } from "./gen/capstan/v1/apps.js";
import {
  Container,
  EmptyDirVolumeSource,
  Namespace,
  NamespaceStatus,
  Node,
  Pod,
  PodSpec,
  PodStatus,
  PodTemplateSpec,
  ReplicationController,
  ReplicationControllerSpec,
  Endpoints,
  Service,
  ServiceSpec,
  type Probe,
  type Toleration,
} from "./gen/capstan/v1/core.js";
import { EndpointSlice } from "./gen/capstan/v1/discovery.js";
import { ObjectMeta } from "./gen/capstan/v1/meta.js";
import { PriorityClass } from "./gen/capstan/v1/scheduling.js";
import { kindInfo, toKubernetesJSON } from "./kinds.js";
import { podQOSClass } from "./pod-resources.js";
import { PREEMPT_LOWER_PRIORITY } from "./scheduling-validation.js";
import { defaultPersistentVolume, defaultPersistentVolumeClaim } from "./volume-validation.js";

export const DEFAULT_TERMINATION_GRACE_PERIOD_SECONDS = 30;
export const DEFAULT_SCHEDULER_NAME = "default-scheduler";
export const DEFAULT_TERMINATION_MESSAGE_PATH = "/dev/termination-log";

export const DEFAULT_REPLICAS = 1;
export const DEFAULT_MAX_SURGE = "25%";
export const DEFAULT_MAX_UNAVAILABLE = "25%";
export const DEFAULT_REVISION_HISTORY_LIMIT = 10;
export const DEFAULT_PROGRESS_DEADLINE_SECONDS = 600;

/** How long a pod stays on a not-ready or unreachable node before it is evicted (kube-apiserver's --default-*-toleration-seconds). */
export const DEFAULT_TOLERATION_SECONDS = 300;
export const TAINT_NODE_NOT_READY = "node.kubernetes.io/not-ready";
export const TAINT_NODE_UNREACHABLE = "node.kubernetes.io/unreachable";

/** What a server may choose about defaulting; the defaults are Kubernetes'. */
export interface DefaultingOptions {
  /** tolerationSeconds of the not-ready and unreachable tolerations every pod gets. */
  readonly defaultTolerationSeconds?: number;
}

/** Kubernetes JSON with every default filled in; throws InvalidError for an unsupported kind. */
export function applyDefaults(kind: string, json: unknown, opts: DefaultingOptions = {}): Record<string, unknown> {
  const info = kindInfo(kind);
  switch (info.kind) {
    case "Pod":
      return toKubernetesJSON(info.kind, defaultPod(info.messageFns.fromJSON(json), opts));
    case "Namespace":
      return toKubernetesJSON(info.kind, defaultNamespace(info.messageFns.fromJSON(json)));
    case "Node":
      return toKubernetesJSON(info.kind, defaultNode(info.messageFns.fromJSON(json)));
    case "ReplicaSet":
      return toKubernetesJSON(info.kind, defaultReplicaSet(info.messageFns.fromJSON(json)));
    case "Deployment":
      return toKubernetesJSON(info.kind, defaultDeployment(info.messageFns.fromJSON(json)));
    case "ReplicationController":
      return toKubernetesJSON(info.kind, defaultReplicationController(info.messageFns.fromJSON(json)));
    case "Service":
      return toKubernetesJSON(info.kind, defaultService(info.messageFns.fromJSON(json)));
    case "Endpoints":
      return toKubernetesJSON(info.kind, defaultEndpoints(info.messageFns.fromJSON(json)));
    case "EndpointSlice":
      return toKubernetesJSON(info.kind, defaultEndpointSlice(info.messageFns.fromJSON(json)));
    case "Event":
      return toKubernetesJSON(info.kind, info.messageFns.fromJSON(json));
    case "PriorityClass":
      return toKubernetesJSON(info.kind, defaultPriorityClass(info.messageFns.fromJSON(json)));
    case "PersistentVolume":
      return toKubernetesJSON(info.kind, defaultPersistentVolume(info.messageFns.fromJSON(json)));
    case "PersistentVolumeClaim":
      return toKubernetesJSON(info.kind, defaultPersistentVolumeClaim(info.messageFns.fromJSON(json)));
  }
}

/** A defaulted copy of a PriorityClass: it preempts lower priorities unless it says Never. */
export function defaultPriorityClass(pc: PriorityClass): PriorityClass {
  const out = PriorityClass.fromPartial(pc);
  out.preemptionPolicy ??= PREEMPT_LOWER_PRIORITY;
  return out;
}

/** A defaulted copy of a typed pod. */
export function defaultPod(pod: Pod, opts: DefaultingOptions = {}): Pod {
  const out = Pod.fromPartial(pod);
  const spec = (out.spec ??= PodSpec.create());
  defaultPodSpec(spec);
  addDefaultTolerations(spec, opts.defaultTolerationSeconds ?? DEFAULT_TOLERATION_SECONDS);
  const status = (out.status ??= PodStatus.create());
  status.phase ||= "Pending";
  status.qosClass ||= podQOSClass(out);
  return out;
}

/** Fills a pod spec's defaults in place: a Pod's, or a workload's pod template's. */
function defaultPodSpec(spec: PodSpec): void {
  spec.restartPolicy ||= "Always";
  spec.terminationGracePeriodSeconds ??= DEFAULT_TERMINATION_GRACE_PERIOD_SECONDS;
  spec.dnsPolicy ||= "ClusterFirst";
  spec.schedulerName ||= DEFAULT_SCHEDULER_NAME;
  spec.containers.forEach(defaultContainer);
  for (const volume of spec.volumes) {
    if (volume.emptyDir === undefined && volume.hostPath === undefined && volume.persistentVolumeClaim === undefined) volume.emptyDir = EmptyDirVolumeSource.create();
  }
}

/**
 * Kubernetes' DefaultTolerationSeconds admission: a pod tolerates a not-ready or unreachable node for
 * a while (NoExecute, so the node lifecycle controller evicts it after that), unless it already says
 * how long. Pods only, not workload templates, as in Kubernetes.
 */
function addDefaultTolerations(spec: PodSpec, seconds: number): void {
  const covers = (t: Toleration, key: string) => (t.key === key || t.key === "") && (t.effect === "NoExecute" || t.effect === "");
  for (const key of [TAINT_NODE_NOT_READY, TAINT_NODE_UNREACHABLE]) {
    if (spec.tolerations.some((t) => covers(t, key))) continue;
    spec.tolerations.push({ key, operator: "Exists", value: "", effect: "NoExecute", tolerationSeconds: seconds });
  }
}

function defaultPodTemplate(template: PodTemplateSpec): void {
  defaultPodSpec((template.spec ??= PodSpec.create()));
}

function defaultContainer(c: Container): void {
  c.imagePullPolicy ||= defaultPullPolicy(c.image);
  c.terminationMessagePath ||= DEFAULT_TERMINATION_MESSAGE_PATH;
  c.terminationMessagePolicy ||= "File";
  for (const port of c.ports) port.protocol ||= "TCP";
  // A limit without a request requests the limit.
  const resources = c.resources;
  if (resources) for (const [name, limit] of Object.entries(resources.limits)) resources.requests[name] ??= limit;
  for (const probe of [c.livenessProbe, c.readinessProbe, c.startupProbe]) if (probe) defaultProbe(probe);
}

/** Zero thresholds and periods are unset in the message, so they take Kubernetes' defaults. */
function defaultProbe(probe: Probe): void {
  probe.timeoutSeconds ||= 1;
  probe.periodSeconds ||= 10;
  probe.successThreshold ||= 1;
  probe.failureThreshold ||= 3;
  if (probe.httpGet) {
    probe.httpGet.path ||= "/";
    probe.httpGet.scheme ||= "HTTP";
  }
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

/** apps/v1 SetDefaults_ReplicaSet: one replica, and the template's pod defaults. */
export function defaultReplicaSet(rs: ReplicaSet): ReplicaSet {
  const out = ReplicaSet.fromPartial(rs);
  const spec = (out.spec ??= ReplicaSetSpec.create());
  spec.replicas ??= DEFAULT_REPLICAS;
  defaultPodTemplate((spec.template ??= PodTemplateSpec.create()));
  return out;
}

/**
 * apps/v1 SetDefaults_Deployment: one replica, a RollingUpdate of 25% surge and 25% unavailable, ten
 * old ReplicaSets kept, a 600s progress deadline, and the template's pod defaults.
 */
export function defaultDeployment(deployment: Deployment): Deployment {
  const out = Deployment.fromPartial(deployment);
  const spec = (out.spec ??= DeploymentSpec.create());
  spec.replicas ??= DEFAULT_REPLICAS;
  const strategy = (spec.strategy ??= DeploymentStrategy.create());
  strategy.type ||= "RollingUpdate";
  if (strategy.type === "RollingUpdate") {
    const rollingUpdate = (strategy.rollingUpdate ??= RollingUpdateDeployment.create());
    rollingUpdate.maxUnavailable ??= DEFAULT_MAX_UNAVAILABLE;
    rollingUpdate.maxSurge ??= DEFAULT_MAX_SURGE;
  }
  spec.revisionHistoryLimit ??= DEFAULT_REVISION_HISTORY_LIMIT;
  spec.progressDeadlineSeconds ??= DEFAULT_PROGRESS_DEADLINE_SECONDS;
  defaultPodTemplate((spec.template ??= PodTemplateSpec.create()));
  return out;
}

/**
 * core/v1 SetDefaults_ReplicationController: the selector and, when it has none, the controller's own
 * labels come from the template's labels; one replica; the template's pod defaults.
 */
export function defaultReplicationController(rc: ReplicationController): ReplicationController {
  const out = ReplicationController.fromPartial(rc);
  const spec = (out.spec ??= ReplicationControllerSpec.create());
  const templateLabels = spec.template?.metadata?.labels ?? {};
  if (Object.keys(templateLabels).length > 0) {
    if (Object.keys(spec.selector).length === 0) spec.selector = { ...templateLabels };
    const meta = (out.metadata ??= ObjectMeta.create());
    if (Object.keys(meta.labels).length === 0) meta.labels = { ...templateLabels };
  }
  spec.replicas ??= DEFAULT_REPLICAS;
  defaultPodTemplate((spec.template ??= PodTemplateSpec.create()));
  return out;
}

/**
 * core/v1 SetDefaults_Service: type ClusterIP, sessionAffinity None, each port TCP with targetPort =
 * port, externalTrafficPolicy Cluster for services reached from outside, internalTrafficPolicy Cluster,
 * and clusterIPs from a clusterIP given alone. The clusterIP itself is the gateway's to allocate.
 */
export function defaultService(service: Service): Service {
  const out = Service.fromPartial(service);
  const spec = (out.spec ??= ServiceSpec.create());
  spec.type ||= "ClusterIP";
  spec.sessionAffinity ||= "None";
  for (const port of spec.ports) {
    port.protocol ||= "TCP";
    if (port.targetPort === "" && port.port !== 0) port.targetPort = String(port.port);
  }
  if (spec.type === "NodePort" || spec.type === "LoadBalancer") spec.externalTrafficPolicy ||= "Cluster";
  if (spec.type !== "ExternalName") spec.internalTrafficPolicy ??= "Cluster";
  if (spec.clusterIp !== "" && spec.clusterIps.length === 0) spec.clusterIps = [spec.clusterIp];
  return out;
}

/** core/v1 SetDefaults_EndpointPort: TCP. */
export function defaultEndpoints(endpoints: Endpoints): Endpoints {
  const out = Endpoints.fromPartial(endpoints);
  for (const subset of out.subsets) for (const port of subset.ports) port.protocol ||= "TCP";
  return out;
}

/** discovery/v1 SetDefaults_EndpointPort: TCP and an empty name. */
export function defaultEndpointSlice(slice: EndpointSlice): EndpointSlice {
  const out = EndpointSlice.fromPartial(slice);
  for (const port of out.ports) {
    port.name ??= "";
    port.protocol ??= "TCP";
  }
  return out;
}
