/**
 * Pod defaulting (pkg/apis/core/v1/defaults.go SetDefaults_PodSpec, SetDefaults_Container, SetDefaults_Probe):
 * a Pod's, and the pod template's of every workload (ReplicaSet, Deployment, ReplicationController).
 */
import { EmptyDirVolumeSource, Pod, PodSpec, PodStatus, type Container, type PodTemplateSpec, type Probe, type Toleration, type Volume } from "../../gen/capstan/v1/core.js";
import type { DefaultingOptions } from "../kind-strategy.js";
import { podQOSClass } from "../../pod-resources.js";

export const DEFAULT_TERMINATION_GRACE_PERIOD_SECONDS = 30;
export const DEFAULT_SCHEDULER_NAME = "default-scheduler";
export const DEFAULT_TERMINATION_MESSAGE_PATH = "/dev/termination-log";

/** How long a pod stays on a not-ready or unreachable node before it is evicted (kube-apiserver's --default-*-toleration-seconds). */
export const DEFAULT_TOLERATION_SECONDS = 300;
export const TAINT_NODE_NOT_READY = "node.kubernetes.io/not-ready";
export const TAINT_NODE_UNREACHABLE = "node.kubernetes.io/unreachable";

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
  spec.initContainers.forEach(defaultContainer);
  spec.containers.forEach(defaultContainer);
  for (const volume of spec.volumes) {
    const { name: _name, ...sources } = volume;
    if (Object.values(sources).every((s) => s === undefined)) volume.emptyDir = EmptyDirVolumeSource.create();
    defaultConfigVolume(volume);
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

/** Fills a workload's pod template's defaults in place; no default tolerations, as Kubernetes' admission gives those to pods only. */
export function defaultPodTemplate(template: PodTemplateSpec): void {
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
  for (const e of c.env) if (e.valueFrom?.fieldRef) e.valueFrom.fieldRef.apiVersion ||= "v1";
}

/** The mode of files in configMap, secret, downwardAPI and projected volumes (0644), as Kubernetes defaults it. */
export const DEFAULT_VOLUME_FILE_MODE = 0o644;

/** SetDefaults_ConfigMapVolumeSource and its siblings: a defaultMode, and fieldRefs at v1. */
function defaultConfigVolume(volume: Volume): void {
  for (const source of [volume.configMap, volume.secret, volume.downwardApi, volume.projected]) if (source) source.defaultMode ??= DEFAULT_VOLUME_FILE_MODE;
  const files = [...(volume.downwardApi?.items ?? []), ...(volume.projected?.sources ?? []).flatMap((s) => s.downwardApi?.items ?? [])];
  for (const file of files) if (file.fieldRef) file.fieldRef.apiVersion ||= "v1";
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
