/**
 * Validation of an object as it will be stored, with Kubernetes' rules and wording
 * (pkg/apis/core/validation). It checks the defaulted object, so a field a user may leave out is never
 * reported missing, and it returns every violation at once, each at its field path.
 */
import {
  field,
  regexError,
  selectorFromSet,
  validateAnnotations,
  validateDNS1123Label,
  validateDNS1123Subdomain,
  validateLabels,
  validateLabelValue,
  validatePortNumber,
  validateQualifiedName,
  type FieldError,
} from "@capstan/apimachinery";
import type { DeploymentSpec, DeploymentStatus, DeploymentStrategy, ReplicaSetSpec, ReplicaSetStatus } from "./gen/capstan/v1/apps.js";
import { isIP } from "node:net";
import type {
  EndpointAddress,
  EndpointPort,
  Endpoints,
  Node,
  ReplicationControllerSpec,
  ReplicationControllerStatus,
  Service,
  ServiceSpec,
} from "./gen/capstan/v1/core.js";
import type { EndpointSlice } from "./gen/capstan/v1/discovery.js";
import type { ObjectMeta } from "./gen/capstan/v1/meta.js";
import {
  defaultDeployment,
  defaultEndpointSlice,
  defaultEndpoints,
  defaultNamespace,
  defaultNode,
  defaultPod,
  defaultReplicaSet,
  defaultReplicationController,
  defaultService,
} from "./defaults.js";
import {
  messages,
  nonNegative,
  taintEffects,
  validateEndpointPorts,
  validateIP,
  validatePortNumOrName,
  validateResourceQuantity,
} from "./field-validation.js";
import { isIntOrStringInt, percentOf } from "./int-or-string.js";
import { findKind, unsupportedKindError, type AnyKindInfo, type NameRule } from "./kinds.js";
import { validatePodSpec, validatePodTemplate, validateWorkloadSelector } from "./pod-spec-validation.js";
import { validatePriorityClass } from "./scheduling-validation.js";
import {
  defaultPersistentVolume,
  defaultPersistentVolumeClaim,
  validatePersistentVolumeClaimSpec,
  validatePersistentVolumeSpec,
} from "./volume-validation.js";

const { required, invalid, notSupported, duplicate, forbidden, tooLong } = field;

const deploymentStrategyTypes = ["Recreate", "RollingUpdate"];
const percentFmt = "[0-9]+%";
const percentValue = new RegExp(`^${percentFmt}$`);

/**
 * Every rule the object breaks; empty when it may be stored. Its size is not one of them: the event store
 * refuses any write that leaves an object larger than the bus carries, status updates included.
 */
export function validateObject(kind: string, json: unknown): FieldError[] {
  const info = findKind(kind);
  if (!info) return [unsupportedKindError(kind)];
  const errs: FieldError[] = [];

  switch (info.kind) {
    case "Pod": {
      const raw = info.messageFns.fromJSON(json);
      const pod = defaultPod(raw);
      errs.push(...validateObjectMeta(pod.metadata, info), ...validatePodSpec(pod.spec, raw.spec, "spec"));
      break;
    }
    case "ReplicaSet": {
      const raw = info.messageFns.fromJSON(json);
      const rs = defaultReplicaSet(raw);
      errs.push(...validateObjectMeta(rs.metadata, info), ...validateReplicaSetSpec(rs.spec, raw.spec, "spec"));
      break;
    }
    case "Deployment": {
      const raw = info.messageFns.fromJSON(json);
      const deployment = defaultDeployment(raw);
      errs.push(...validateObjectMeta(deployment.metadata, info), ...validateDeploymentSpec(deployment.spec, raw.spec, "spec"));
      break;
    }
    case "ReplicationController": {
      const raw = info.messageFns.fromJSON(json);
      const rc = defaultReplicationController(raw);
      errs.push(...validateObjectMeta(rc.metadata, info), ...validateReplicationControllerSpec(rc.spec, raw.spec, "spec"));
      break;
    }
    case "Namespace": {
      const ns = defaultNamespace(info.messageFns.fromJSON(json));
      errs.push(...validateObjectMeta(ns.metadata, info));
      (ns.spec?.finalizers ?? []).forEach((f, i) => errs.push(...messages(`spec.finalizers[${i}]`, f, validateQualifiedName(f))));
      break;
    }
    case "Node": {
      const node = defaultNode(info.messageFns.fromJSON(json));
      errs.push(...validateObjectMeta(node.metadata, info), ...validateNode(node));
      break;
    }
    case "Service": {
      const service = defaultService(info.messageFns.fromJSON(json));
      errs.push(...validateObjectMeta(service.metadata, info), ...validateServiceSpec(service, "spec"));
      break;
    }
    case "Endpoints": {
      const endpoints = defaultEndpoints(info.messageFns.fromJSON(json));
      errs.push(...validateObjectMeta(endpoints.metadata, info), ...validateEndpoints(endpoints));
      break;
    }
    case "EndpointSlice": {
      const slice = defaultEndpointSlice(info.messageFns.fromJSON(json));
      errs.push(...validateObjectMeta(slice.metadata, info), ...validateEndpointSlice(slice));
      break;
    }
    case "PriorityClass": {
      const pc = info.messageFns.fromJSON(json);
      errs.push(...validateObjectMeta(pc.metadata, info), ...validatePriorityClass(pc));
      break;
    }
    case "PersistentVolume": {
      const pv = defaultPersistentVolume(info.messageFns.fromJSON(json));
      errs.push(...validateObjectMeta(pv.metadata, info), ...validatePersistentVolumeSpec(pv.spec, "spec"));
      break;
    }
    case "PersistentVolumeClaim": {
      const pvc = defaultPersistentVolumeClaim(info.messageFns.fromJSON(json));
      errs.push(...validateObjectMeta(pvc.metadata, info), ...validatePersistentVolumeClaimSpec(pvc.spec, "spec"));
      break;
    }
    case "Event": {
      const event = info.messageFns.fromJSON(json);
      errs.push(...validateObjectMeta(event.metadata, info));
      const involved = event.involvedObject?.namespace ?? "";
      if (involved !== "" && event.metadata?.namespace && involved !== event.metadata.namespace) {
        errs.push(invalid("involvedObject.namespace", involved, "does not match event.namespace"));
      }
      break;
    }
  }
  return errs;
}

/**
 * Every rule a status written through UpdateStatus breaks (the counts of ReplicaSet, Deployment and
 * ReplicationController, as ValidateReplicaSetStatus and ValidateDeploymentStatus); empty for kinds
 * whose status has no such rules.
 */
export function validateStatus(kind: string, json: unknown): FieldError[] {
  const info = findKind(kind);
  if (!info) return [unsupportedKindError(kind)];
  switch (info.kind) {
    case "ReplicaSet":
    case "ReplicationController":
      return validateReplicaCounts(info.messageFns.fromJSON(json).status, "status");
    case "Deployment":
      return validateDeploymentStatus(info.messageFns.fromJSON(json).status, "status");
    default:
      return [];
  }
}

function nameRule(rule: NameRule): (value: string) => string[] {
  return rule === "DNS1123Label" ? validateDNS1123Label : validateDNS1123Subdomain;
}

// ---- metadata ----

export function validateObjectMeta(meta: ObjectMeta | undefined, info: AnyKindInfo): FieldError[] {
  const errs: FieldError[] = [];
  const validateName = nameRule(info.nameRule);
  const name = meta?.name ?? "";
  const generateName = meta?.generateName ?? "";
  if (generateName !== "") {
    // A prefix may end in '-', since random characters follow it.
    const masked = generateName.endsWith("-") ? `${generateName.slice(0, -1)}a` : generateName;
    errs.push(...messages("metadata.generateName", generateName, validateName(masked)));
  }
  if (name === "") {
    if (generateName === "") errs.push(required("metadata.name", "name or generateName is required"));
  } else {
    errs.push(...messages("metadata.name", name, validateName(name)));
  }

  const namespace = meta?.namespace ?? "";
  if (!info.namespaced && namespace !== "") errs.push(forbidden("metadata.namespace", "not allowed on this type"));
  if (info.namespaced && namespace !== "") errs.push(...messages("metadata.namespace", namespace, validateDNS1123Label(namespace)));

  errs.push(...validateLabels(meta?.labels, "metadata.labels"), ...validateAnnotations(meta?.annotations, "metadata.annotations"));

  const controllers: string[] = [];
  (meta?.ownerReferences ?? []).forEach((ref, i) => {
    const path = `metadata.ownerReferences[${i}]`;
    if (ref.apiVersion === "") errs.push(required(`${path}.apiVersion`, "version must not be empty"));
    if (ref.kind === "") errs.push(required(`${path}.kind`, "kind must not be empty"));
    if (ref.name === "") errs.push(required(`${path}.name`, "name must not be empty"));
    if (ref.uid === "") errs.push(required(`${path}.uid`, "uid must not be empty"));
    if (ref.controller) controllers.push(`${ref.kind}/${ref.name}`);
  });
  if (controllers.length > 1) {
    errs.push(invalid("metadata.ownerReferences", controllers.join(", "), "Only one reference can have Controller set to true"));
  }
  (meta?.finalizers ?? []).forEach((f, i) => errs.push(...messages(`metadata.finalizers[${i}]`, f, validateQualifiedName(f))));
  if ((meta?.generation ?? 0) < 0) errs.push(invalid("metadata.generation", meta?.generation, "must be greater than or equal to 0"));
  return errs;
}

/** An IntOrString count: a non-negative integer or a percentage (ValidatePositiveIntOrPercent). */
function validateIntOrPercent(value: string | undefined, path: string): FieldError[] {
  if (value === undefined) return [];
  if (isIntOrStringInt(value)) return nonNegative(path, Number(value));
  if (!percentValue.test(value)) {
    return [invalid(path, value, regexError("a valid percent string must be a numeric string followed by an ending '%'", percentFmt, "1%", "93%"))];
  }
  return [];
}

/** The integer or percentage an IntOrString count stands for; undefined when it is neither. */
function intOrPercentNumber(value: string | undefined): number | undefined {
  if (value === undefined) return 0;
  return isIntOrStringInt(value) ? Number(value) : percentValue.test(value) ? percentOf(value) : undefined;
}

// ---- Node ----

function validateNode(node: Node): FieldError[] {
  const errs: FieldError[] = [];
  const seen = new Set<string>();
  (node.spec?.taints ?? []).forEach((t, i) => {
    const path = `spec.taints[${i}]`;
    if (t.key === "") errs.push(required(`${path}.key`));
    else errs.push(...messages(`${path}.key`, t.key, validateQualifiedName(t.key)));
    errs.push(...messages(`${path}.value`, t.value, validateLabelValue(t.value)));
    if (t.effect === "") errs.push(required(`${path}.effect`));
    else if (!taintEffects.includes(t.effect)) errs.push(notSupported(`${path}.effect`, t.effect, taintEffects));
    const key = `${t.key}:${t.effect}`;
    if (seen.has(key)) errs.push(duplicate(path, key));
    seen.add(key);
  });
  for (const [listName, list] of [["capacity", node.status?.capacity], ["allocatable", node.status?.allocatable]] as const) {
    for (const [name, q] of Object.entries(list ?? {})) {
      const path = `status.${listName}[${name}]`;
      errs.push(...messages(path, name, validateQualifiedName(name)), ...validateResourceQuantity(path, name, q));
    }
  }
  return errs;
}

// ---- workloads: ReplicaSet, Deployment, ReplicationController ----

function validateReplicaSetSpec(spec: ReplicaSetSpec | undefined, written: ReplicaSetSpec | undefined, path: string): FieldError[] {
  const errs: FieldError[] = [...nonNegative(`${path}.replicas`, spec?.replicas), ...nonNegative(`${path}.minReadySeconds`, spec?.minReadySeconds)];
  const matches = validateWorkloadSelector(spec?.selector, "replicaset", `${path}.selector`, errs);
  errs.push(...validatePodTemplate(spec?.template, written?.template, matches, `${path}.template`));
  return errs;
}

function validateReplicationControllerSpec(
  spec: ReplicationControllerSpec | undefined,
  written: ReplicationControllerSpec | undefined,
  path: string,
): FieldError[] {
  const errs: FieldError[] = [...nonNegative(`${path}.replicas`, spec?.replicas), ...nonNegative(`${path}.minReadySeconds`, spec?.minReadySeconds)];
  const selector = spec?.selector ?? {};
  let matches: ((labels: Readonly<Record<string, string>>) => boolean) | undefined;
  if (Object.keys(selector).length === 0) {
    errs.push(required(`${path}.selector`));
  } else {
    const selectorErrs = validateLabels(selector, `${path}.selector`);
    errs.push(...selectorErrs);
    if (selectorErrs.length === 0) matches = (labels) => selectorFromSet(selector).matches(labels);
  }
  errs.push(...validatePodTemplate(spec?.template, written?.template, matches, `${path}.template`));
  return errs;
}

function validateDeploymentSpec(spec: DeploymentSpec | undefined, written: DeploymentSpec | undefined, path: string): FieldError[] {
  const errs: FieldError[] = [...nonNegative(`${path}.replicas`, spec?.replicas)];
  const matches = validateWorkloadSelector(spec?.selector, "deployment", `${path}.selector`, errs);
  errs.push(...validatePodTemplate(spec?.template, written?.template, matches, `${path}.template`));
  errs.push(...validateDeploymentStrategy(spec?.strategy, `${path}.strategy`));
  const minReady = spec?.minReadySeconds ?? 0;
  errs.push(...nonNegative(`${path}.minReadySeconds`, minReady), ...nonNegative(`${path}.revisionHistoryLimit`, spec?.revisionHistoryLimit));
  const deadline = spec?.progressDeadlineSeconds;
  if (deadline !== undefined) {
    const negative = nonNegative(`${path}.progressDeadlineSeconds`, deadline);
    errs.push(...negative);
    if (negative.length === 0 && deadline <= minReady) errs.push(invalid(`${path}.progressDeadlineSeconds`, deadline, "must be greater than minReadySeconds"));
  }
  return errs;
}

function validateDeploymentStrategy(strategy: DeploymentStrategy | undefined, path: string): FieldError[] {
  const type = strategy?.type ?? "";
  const rollingUpdate = strategy?.rollingUpdate;
  if (type === "Recreate") {
    return rollingUpdate ? [forbidden(`${path}.rollingUpdate`, "may not be specified when strategy `type` is 'Recreate'")] : [];
  }
  if (type !== "RollingUpdate") return [notSupported(`${path}.type`, type, deploymentStrategyTypes)];
  if (!rollingUpdate) return [required(`${path}.rollingUpdate`, "this should be defaulted and never be nil")];
  const p = `${path}.rollingUpdate`;
  const errs = [
    ...validateIntOrPercent(rollingUpdate.maxUnavailable, `${p}.maxUnavailable`),
    ...validateIntOrPercent(rollingUpdate.maxSurge, `${p}.maxSurge`),
  ];
  const unavailable = intOrPercentNumber(rollingUpdate.maxUnavailable);
  const surge = intOrPercentNumber(rollingUpdate.maxSurge);
  if (unavailable === 0 && surge === 0) errs.push(invalid(`${p}.maxUnavailable`, intOrStringShown(rollingUpdate.maxUnavailable), "may not be 0 when `maxSurge` is 0"));
  if (rollingUpdate.maxUnavailable !== undefined && !isIntOrStringInt(rollingUpdate.maxUnavailable) && (unavailable ?? 0) > 100) {
    errs.push(invalid(`${p}.maxUnavailable`, rollingUpdate.maxUnavailable, "must not be greater than 100%"));
  }
  return errs;
}

/** An IntOrString as a message shows it: an integer as a number, anything else quoted. */
function intOrStringShown(value: string | undefined): string | number {
  return value !== undefined && isIntOrStringInt(value) ? Number(value) : (value ?? 0);
}

/** ValidateReplicaSetStatus (also ReplicationController's): counts never negative nor above what contains them. */
function validateReplicaCounts(status: ReplicaSetStatus | ReplicationControllerStatus | undefined, path: string): FieldError[] {
  if (!status) return [];
  const errs: FieldError[] = [];
  for (const name of ["replicas", "fullyLabeledReplicas", "readyReplicas", "availableReplicas", "observedGeneration"] as const) {
    errs.push(...nonNegative(`${path}.${name}`, status[name]));
  }
  const aboveReplicas = `cannot be greater than ${path}.replicas`;
  for (const name of ["fullyLabeledReplicas", "readyReplicas", "availableReplicas"] as const) {
    if (status[name] > status.replicas) errs.push(invalid(`${path}.${name}`, status[name], aboveReplicas));
  }
  if (status.availableReplicas > status.readyReplicas) errs.push(invalid(`${path}.availableReplicas`, status.availableReplicas, "cannot be greater than readyReplicas"));
  return errs;
}

function validateDeploymentStatus(status: DeploymentStatus | undefined, path: string): FieldError[] {
  if (!status) return [];
  const errs: FieldError[] = [];
  for (const name of ["observedGeneration", "replicas", "updatedReplicas", "readyReplicas", "availableReplicas", "unavailableReplicas", "collisionCount"] as const) {
    errs.push(...nonNegative(`${path}.${name}`, status[name]));
  }
  const aboveReplicas = `cannot be greater than ${path}.replicas`;
  for (const name of ["updatedReplicas", "readyReplicas", "availableReplicas"] as const) {
    if (status[name] > status.replicas) errs.push(invalid(`${path}.${name}`, status[name], aboveReplicas));
  }
  if (status.availableReplicas > status.readyReplicas) errs.push(invalid(`${path}.availableReplicas`, status.availableReplicas, "cannot be greater than readyReplicas"));
  return errs;
}

// ---- Service, Endpoints, EndpointSlice ----

const serviceTypes = ["ClusterIP", "NodePort", "LoadBalancer", "ExternalName"];
const serviceProtocols = ["TCP", "UDP"];
const sessionAffinities = ["None", "ClientIP"];
const trafficPolicies = ["Cluster", "Local"];
const addressTypes = ["IPv4", "IPv6", "FQDN"];
/** A headless service's clusterIP. */
export const CLUSTER_IP_NONE = "None";
/** The label an EndpointSlice names its Service by. */
export const LABEL_SERVICE_NAME = "kubernetes.io/service-name";
const MAX_ENDPOINTS_PER_SLICE = 1000;
const MAX_ADDRESSES_PER_ENDPOINT = 100;
const MAX_PORTS_PER_SLICE = 100;

/** ValidateService: type, clusterIP, ports (names, numbers, protocols, targetPort, nodePort), selector, affinity. */
function validateServiceSpec(service: Service, path: string): FieldError[] {
  const spec: ServiceSpec | undefined = service.spec;
  const errs: FieldError[] = [];
  const type = spec?.type ?? "";
  const clusterIP = spec?.clusterIp ?? "";
  const headless = clusterIP === CLUSTER_IP_NONE;
  if (!serviceTypes.includes(type)) errs.push(notSupported(`${path}.type`, type, serviceTypes));

  if (type === "ExternalName") {
    const name = spec?.externalName ?? "";
    if (name === "") errs.push(required(`${path}.externalName`));
    else errs.push(...messages(`${path}.externalName`, name, validateDNS1123Subdomain(name.endsWith(".") ? name.slice(0, -1) : name)));
    if (clusterIP !== "") errs.push(forbidden(`${path}.clusterIP`, "may not be set for ExternalName services"));
  } else if (headless) {
    if (type !== "ClusterIP") errs.push(invalid(`${path}.clusterIP`, clusterIP, `may not be set to 'None' for ${type} services`));
  } else if (clusterIP !== "") {
    errs.push(...validateIP(`${path}.clusterIP`, clusterIP));
  }
  const clusterIPs = spec?.clusterIps ?? [];
  if (clusterIPs.length > 0 && clusterIPs[0] !== clusterIP) {
    errs.push(invalid(`${path}.clusterIPs[0]`, clusterIPs[0], "must match `spec.clusterIP`"));
  }
  if (clusterIPs.length > 1) errs.push(invalid(`${path}.clusterIPs`, clusterIPs, "may only hold one IP family's address"));

  const ports = spec?.ports ?? [];
  if (ports.length === 0 && !headless && type !== "ExternalName") errs.push(required(`${path}.ports`));
  const names = new Set<string>();
  const portKeys = new Set<string>();
  const nodePorts = new Set<string>();
  ports.forEach((port, i) => {
    const p = `${path}.ports[${i}]`;
    if (port.name === "") {
      if (ports.length > 1) errs.push(required(`${p}.name`));
    } else if (names.has(port.name)) {
      errs.push(duplicate(`${p}.name`, port.name));
    } else {
      errs.push(...messages(`${p}.name`, port.name, validateDNS1123Label(port.name)));
    }
    names.add(port.name);
    if (port.port === 0) errs.push(required(`${p}.port`));
    else errs.push(...messages(`${p}.port`, port.port, validatePortNumber(port.port)));
    if (!serviceProtocols.includes(port.protocol)) errs.push(notSupported(`${p}.protocol`, port.protocol, serviceProtocols));
    const key = `${port.port}/${port.protocol}`;
    if (portKeys.has(key)) errs.push(duplicate(p, { port: port.port, protocol: port.protocol }));
    portKeys.add(key);
    errs.push(...validatePortNumOrName(port.targetPort, `${p}.targetPort`));
    if (port.nodePort !== 0) {
      if (type === "ClusterIP" || type === "ExternalName") {
        errs.push(forbidden(`${p}.nodePort`, `may not be used when \`type\` is '${type}'`));
      } else {
        errs.push(...messages(`${p}.nodePort`, port.nodePort, validatePortNumber(port.nodePort)));
        const nodeKey = `${port.nodePort}/${port.protocol}`;
        if (nodePorts.has(nodeKey)) errs.push(duplicate(`${p}.nodePort`, port.nodePort));
        nodePorts.add(nodeKey);
      }
    }
  });

  errs.push(...validateLabels(spec?.selector, `${path}.selector`));
  const affinity = spec?.sessionAffinity ?? "";
  if (!sessionAffinities.includes(affinity)) errs.push(notSupported(`${path}.sessionAffinity`, affinity, sessionAffinities));
  if (type === "ExternalName" && affinity === "ClientIP") {
    errs.push(forbidden(`${path}.sessionAffinity`, "may not be used when `type` is 'ExternalName'"));
  }
  const external = spec?.externalTrafficPolicy ?? "";
  if (type === "NodePort" || type === "LoadBalancer") {
    if (!trafficPolicies.includes(external)) errs.push(notSupported(`${path}.externalTrafficPolicy`, external, trafficPolicies));
  } else if (external !== "") {
    errs.push(invalid(`${path}.externalTrafficPolicy`, external, "may only be set when `type` is 'NodePort' or 'LoadBalancer'"));
  }
  const internal = spec?.internalTrafficPolicy;
  if (internal !== undefined && !trafficPolicies.includes(internal)) errs.push(notSupported(`${path}.internalTrafficPolicy`, internal, trafficPolicies));
  (spec?.externalIps ?? []).forEach((ip, i) => errs.push(...validateIP(`${path}.externalIPs[${i}]`, ip)));
  if (spec?.loadBalancerIp) {
    if (type !== "LoadBalancer") errs.push(forbidden(`${path}.loadBalancerIP`, "may only be used when `type` is 'LoadBalancer'"));
    else errs.push(...validateIP(`${path}.loadBalancerIP`, spec.loadBalancerIp));
  }
  return errs;
}

function validateEndpointAddress(address: EndpointAddress, path: string): FieldError[] {
  const errs = address.ip === "" ? [required(`${path}.ip`)] : validateIP(`${path}.ip`, address.ip);
  if (address.hostname !== "") errs.push(...messages(`${path}.hostname`, address.hostname, validateDNS1123Label(address.hostname)));
  if (address.nodeName) errs.push(...messages(`${path}.nodeName`, address.nodeName, validateDNS1123Subdomain(address.nodeName)));
  return errs;
}

/** ValidateEndpoints: every address an IP, every port numbered, named when there are several. */
function validateEndpoints(endpoints: Endpoints): FieldError[] {
  const errs: FieldError[] = [];
  endpoints.subsets.forEach((subset, i) => {
    const p = `subsets[${i}]`;
    if (subset.addresses.length === 0 && subset.notReadyAddresses.length === 0) {
      errs.push(required(p, "must specify `addresses` or `notReadyAddresses`"));
    }
    subset.addresses.forEach((a, j) => errs.push(...validateEndpointAddress(a, `${p}.addresses[${j}]`)));
    subset.notReadyAddresses.forEach((a, j) => errs.push(...validateEndpointAddress(a, `${p}.notReadyAddresses[${j}]`)));
    errs.push(...validateEndpointPorts(subset.ports as readonly EndpointPort[], `${p}.ports`, true));
  });
  return errs;
}

/** ValidateEndpointSlice: an address type, addresses of that type, bounded sizes, ports with unique names. */
function validateEndpointSlice(slice: EndpointSlice): FieldError[] {
  const errs: FieldError[] = [];
  const type = slice.addressType;
  if (type === "") errs.push(required("addressType"));
  else if (!addressTypes.includes(type)) errs.push(notSupported("addressType", type, addressTypes));
  if (slice.endpoints.length > MAX_ENDPOINTS_PER_SLICE) errs.push(tooLong("endpoints", `must have at most ${MAX_ENDPOINTS_PER_SLICE} items`));
  slice.endpoints.forEach((endpoint, i) => {
    const p = `endpoints[${i}]`;
    if (endpoint.addresses.length === 0) errs.push(required(`${p}.addresses`, "must contain at least 1 address"));
    if (endpoint.addresses.length > MAX_ADDRESSES_PER_ENDPOINT) errs.push(tooLong(`${p}.addresses`, `must have at most ${MAX_ADDRESSES_PER_ENDPOINT} items`));
    endpoint.addresses.forEach((address, j) => {
      const ap = `${p}.addresses[${j}]`;
      if (type === "IPv4" && isIP(address) !== 4) errs.push(invalid(ap, address, "must be a valid IPv4 address"));
      if (type === "IPv6" && isIP(address) !== 6) errs.push(invalid(ap, address, "must be a valid IPv6 address"));
      if (type === "FQDN") errs.push(...messages(ap, address, validateDNS1123Subdomain(address)));
    });
    if (endpoint.hostname) errs.push(...messages(`${p}.hostname`, endpoint.hostname, validateDNS1123Label(endpoint.hostname)));
    if (endpoint.nodeName) errs.push(...messages(`${p}.nodeName`, endpoint.nodeName, validateDNS1123Subdomain(endpoint.nodeName)));
  });
  if (slice.ports.length > MAX_PORTS_PER_SLICE) errs.push(tooLong("ports", `must have at most ${MAX_PORTS_PER_SLICE} items`));
  errs.push(...validateEndpointPorts(slice.ports, "ports", false));
  return errs;
}
