/**
 * Validation of an object as it will be stored, with Kubernetes' rules and wording
 * (pkg/apis/core/validation). It checks the defaulted object, so a field a user may leave out is never
 * reported missing, and it returns every violation at once, each at its field path.
 */
import {
  field,
  parseQuantity,
  regexError,
  selectorFromLabelSelector,
  selectorFromSet,
  validateLabelSelector,
  validateAnnotations,
  validateDNS1123Label,
  validateDNS1123Subdomain,
  validateEnvVarName,
  validateLabels,
  validateLabelValue,
  validatePortName,
  validatePortNumber,
  validateQualifiedName,
  validateQuantity,
  type FieldError,
} from "@capstan/apimachinery";
import type { DeploymentSpec, DeploymentStatus, DeploymentStrategy, ReplicaSetSpec, ReplicaSetStatus } from "./gen/capstan/v1/apps.js";
import { isIP } from "node:net";
import type {
  Container,
  EndpointAddress,
  EndpointPort,
  Endpoints,
  Node,
  PodDNSConfig,
  PodSpec,
  PodTemplateSpec,
  Probe,
  ReplicationControllerSpec,
  ReplicationControllerStatus,
  Service,
  ServiceSpec,
  Toleration,
  Volume,
} from "./gen/capstan/v1/core.js";
import type { EndpointSlice } from "./gen/capstan/v1/discovery.js";
import { LabelSelector, type ObjectMeta } from "./gen/capstan/v1/meta.js";
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
import { isIntOrStringInt, percentOf } from "./int-or-string.js";
import { findKind, unsupportedKindError, type AnyKindInfo, type NameRule } from "./kinds.js";
import {
  validateAffinity,
  validatePreemptionPolicy,
  validatePriorityClass,
  validateSchedulingGates,
  validateTopologySpreadConstraints,
} from "./scheduling-validation.js";
import {
  defaultPersistentVolume,
  defaultPersistentVolumeClaim,
  validatePersistentVolumeClaimSpec,
  validatePersistentVolumeSpec,
} from "./volume-validation.js";

const { required, invalid, notSupported, duplicate, notFound, forbidden, tooLong } = field;

const restartPolicies = ["Always", "OnFailure", "Never"];
const dnsPolicies = ["ClusterFirstWithHostNet", "ClusterFirst", "Default", "None"];
const pullPolicies = ["Always", "IfNotPresent", "Never"];
const terminationMessagePolicies = ["File", "FallbackToLogsOnError"];
const protocols = ["TCP", "UDP", "SCTP"];
const tolerationOperators = ["Equal", "Exists"];
const taintEffects = ["NoSchedule", "PreferNoSchedule", "NoExecute"];
const hostPathTypes = ["", "DirectoryOrCreate", "Directory", "FileOrCreate", "File", "Socket", "CharDevice", "BlockDevice"];
const deploymentStrategyTypes = ["Recreate", "RollingUpdate"];
const httpSchemes = ["HTTP", "HTTPS"];
const httpHeaderNameFmt = "[-A-Za-z0-9]+";
const httpHeaderName = new RegExp(`^${httpHeaderNameFmt}$`);
const percentFmt = "[0-9]+%";
const percentValue = new RegExp(`^${percentFmt}$`);
const standardContainerResources = new Set(["cpu", "memory", "ephemeral-storage"]);
const integerResources = new Set(["pods"]);

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
      keepResourcesAsWritten(pod.spec, raw.spec);
      errs.push(...validateObjectMeta(pod.metadata, info), ...validatePodSpec(pod.spec, "spec"));
      break;
    }
    case "ReplicaSet": {
      const raw = info.messageFns.fromJSON(json);
      const rs = defaultReplicaSet(raw);
      keepResourcesAsWritten(rs.spec?.template?.spec, raw.spec?.template?.spec);
      errs.push(...validateObjectMeta(rs.metadata, info), ...validateReplicaSetSpec(rs.spec, "spec"));
      break;
    }
    case "Deployment": {
      const raw = info.messageFns.fromJSON(json);
      const deployment = defaultDeployment(raw);
      keepResourcesAsWritten(deployment.spec?.template?.spec, raw.spec?.template?.spec);
      errs.push(...validateObjectMeta(deployment.metadata, info), ...validateDeploymentSpec(deployment.spec, "spec"));
      break;
    }
    case "ReplicationController": {
      const raw = info.messageFns.fromJSON(json);
      const rc = defaultReplicationController(raw);
      keepResourcesAsWritten(rc.spec?.template?.spec, raw.spec?.template?.spec);
      errs.push(...validateObjectMeta(rc.metadata, info), ...validateReplicationControllerSpec(rc.spec, "spec"));
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

/** Defaulting copies a limit into requests; validating that would report each resource problem twice. */
function keepResourcesAsWritten(defaulted: PodSpec | undefined, raw: PodSpec | undefined): void {
  defaulted?.containers.forEach((c, i) => (c.resources = raw?.containers[i]?.resources));
}

function messages(path: string, value: unknown, msgs: readonly string[]): FieldError[] {
  return msgs.map((m) => invalid(path, value, m));
}

function nameRule(rule: NameRule): (value: string) => string[] {
  return rule === "DNS1123Label" ? validateDNS1123Label : validateDNS1123Subdomain;
}

function isAbsolutePath(p: string): boolean {
  return p.startsWith("/");
}

function hasDotDot(p: string): boolean {
  return p.split("/").includes("..");
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

// ---- Pod ----

function validatePodSpec(spec: PodSpec | undefined, path: string): FieldError[] {
  const errs: FieldError[] = [];
  const volumes = validateVolumes(spec?.volumes ?? [], `${path}.volumes`, errs);
  const containers = spec?.containers ?? [];
  if (containers.length === 0) errs.push(required(`${path}.containers`));

  const containerNames = new Set<string>();
  const hostPorts = new Set<string>();
  containers.forEach((c, i) => {
    const p = `${path}.containers[${i}]`;
    if (c.name === "") errs.push(required(`${p}.name`));
    else if (containerNames.has(c.name)) errs.push(duplicate(`${p}.name`, c.name));
    else errs.push(...messages(`${p}.name`, c.name, validateDNS1123Label(c.name)));
    containerNames.add(c.name);
    errs.push(...validateContainer(c, p, volumes, hostPorts));
  });

  if (!restartPolicies.includes(spec?.restartPolicy ?? "")) errs.push(notSupported(`${path}.restartPolicy`, spec?.restartPolicy, restartPolicies));
  if (!dnsPolicies.includes(spec?.dnsPolicy ?? "")) errs.push(notSupported(`${path}.dnsPolicy`, spec?.dnsPolicy, dnsPolicies));
  errs.push(...validatePodDNSConfig(spec?.dnsConfig, spec?.dnsPolicy, `${path}.dnsConfig`));
  const grace = spec?.terminationGracePeriodSeconds;
  if (grace !== undefined && grace < 0) errs.push(invalid(`${path}.terminationGracePeriodSeconds`, grace, "must be greater than or equal to 0"));
  errs.push(...validateLabels(spec?.nodeSelector, `${path}.nodeSelector`));

  const subdomains: [string, string | undefined][] = [
    ["nodeName", spec?.nodeName],
    ["schedulerName", spec?.schedulerName],
    ["serviceAccountName", spec?.serviceAccountName],
    ["priorityClassName", spec?.priorityClassName],
  ];
  for (const [name, value] of subdomains) if (value) errs.push(...messages(`${path}.${name}`, value, validateDNS1123Subdomain(value)));
  if (spec?.hostname) errs.push(...messages(`${path}.hostname`, spec.hostname, validateDNS1123Label(spec.hostname)));
  if (spec?.subdomain) errs.push(...messages(`${path}.subdomain`, spec.subdomain, validateDNS1123Label(spec.subdomain)));

  (spec?.tolerations ?? []).forEach((t, i) => errs.push(...validateToleration(t, `${path}.tolerations[${i}]`)));
  errs.push(
    ...validateAffinity(spec?.affinity, `${path}.affinity`),
    ...validateTopologySpreadConstraints(spec?.topologySpreadConstraints ?? [], `${path}.topologySpreadConstraints`),
    ...validatePreemptionPolicy(spec?.preemptionPolicy, `${path}.preemptionPolicy`),
    ...validateSchedulingGates(spec?.schedulingGates ?? [], `${path}.schedulingGates`),
  );
  for (const [name, q] of Object.entries(spec?.overhead ?? {})) {
    errs.push(...validateContainerResourceName(`${path}.overhead[${name}]`, name), ...validateResourceQuantity(`${path}.overhead[${name}]`, name, q));
  }
  return errs;
}

/** The resolver's limits, as glibc and the kubelet have them. */
const maxDNSNameservers = 3;
const maxDNSSearchPaths = 32;

function validatePodDNSConfig(config: PodDNSConfig | undefined, dnsPolicy: string | undefined, path: string): FieldError[] {
  const errs: FieldError[] = [];
  if (dnsPolicy === "None") {
    if (!config) return [required(path, "must provide `dnsConfig` when `dnsPolicy` is None")];
    if (config.nameservers.length === 0) errs.push(required(`${path}.nameservers`, "must provide at least one DNS nameserver when `dnsPolicy` is None"));
  }
  if (!config) return errs;
  if (config.nameservers.length > maxDNSNameservers) {
    errs.push(invalid(`${path}.nameservers`, config.nameservers.join(","), `must not have more than ${maxDNSNameservers} nameservers`));
  }
  config.nameservers.forEach((ns, i) => {
    if (isIP(ns) === 0) errs.push(invalid(`${path}.nameservers[${i}]`, ns, "must be valid IP address"));
  });
  if (config.searches.length > maxDNSSearchPaths) {
    errs.push(invalid(`${path}.searches`, config.searches.join(","), `must not have more than ${maxDNSSearchPaths} search paths`));
  }
  // A search path may be written fully qualified, with a trailing dot.
  config.searches.forEach((search, i) => errs.push(...messages(`${path}.searches[${i}]`, search, validateDNS1123Subdomain(search.replace(/\.$/, "")))));
  config.options.forEach((option, i) => {
    if (option.name === "") errs.push(required(`${path}.options[${i}]`, "Option.Name must not be empty"));
  });
  return errs;
}

/** Validates the volumes and answers the names a volumeMount may refer to. */
function validateVolumes(volumes: readonly Volume[], volumesPath: string, errs: FieldError[]): Set<string> {
  const names = new Set<string>();
  volumes.forEach((v, i) => {
    const path = `${volumesPath}[${i}]`;
    if (v.name === "") errs.push(required(`${path}.name`));
    else if (names.has(v.name)) errs.push(duplicate(`${path}.name`, v.name));
    else errs.push(...messages(`${path}.name`, v.name, validateDNS1123Label(v.name)));
    names.add(v.name);

    const sources = [v.emptyDir && "emptyDir", v.hostPath && "hostPath", v.persistentVolumeClaim && "persistentVolumeClaim"].filter((s): s is string => typeof s === "string");
    if (sources.length === 0) errs.push(required(path, "must specify a volume type"));
    for (const extra of sources.slice(1)) errs.push(forbidden(`${path}.${extra}`, "may not specify more than 1 volume type"));

    const sizeLimit = v.emptyDir?.sizeLimit;
    if (sizeLimit !== undefined) errs.push(...validateResourceQuantity(`${path}.emptyDir.sizeLimit`, "", sizeLimit));
    if (v.hostPath) {
      if (v.hostPath.path === "") errs.push(required(`${path}.hostPath.path`));
      else if (hasDotDot(v.hostPath.path)) errs.push(invalid(`${path}.hostPath.path`, v.hostPath.path, "must not contain '..'"));
      const type = v.hostPath.type ?? "";
      if (!hostPathTypes.includes(type)) errs.push(notSupported(`${path}.hostPath.type`, type, hostPathTypes.slice(1)));
    }
    if (v.persistentVolumeClaim?.claimName === "") errs.push(required(`${path}.persistentVolumeClaim.claimName`));
  });
  return names;
}

function validateContainer(c: Container, path: string, volumes: ReadonlySet<string>, hostPorts: Set<string>): FieldError[] {
  const errs: FieldError[] = [];
  if (c.image === "") errs.push(required(`${path}.image`));
  else if (c.image.trim() !== c.image) errs.push(invalid(`${path}.image`, c.image, "must not have leading or trailing whitespace"));
  if (!pullPolicies.includes(c.imagePullPolicy)) errs.push(notSupported(`${path}.imagePullPolicy`, c.imagePullPolicy, pullPolicies));
  if (!terminationMessagePolicies.includes(c.terminationMessagePolicy)) {
    errs.push(notSupported(`${path}.terminationMessagePolicy`, c.terminationMessagePolicy, terminationMessagePolicies));
  }

  c.env.forEach((e, j) => {
    const p = `${path}.env[${j}].name`;
    if (e.name === "") errs.push(required(p));
    else errs.push(...messages(p, e.name, validateEnvVarName(e.name)));
  });

  const portNames = new Set<string>();
  c.ports.forEach((port, j) => {
    const p = `${path}.ports[${j}]`;
    if (port.name !== "") {
      if (portNames.has(port.name)) errs.push(duplicate(`${p}.name`, port.name));
      else errs.push(...messages(`${p}.name`, port.name, validatePortName(port.name)));
      portNames.add(port.name);
    }
    if (port.containerPort === 0) errs.push(required(`${p}.containerPort`));
    else errs.push(...messages(`${p}.containerPort`, port.containerPort, validatePortNumber(port.containerPort)));
    if (port.hostPort !== 0) {
      errs.push(...messages(`${p}.hostPort`, port.hostPort, validatePortNumber(port.hostPort)));
      const key = `${port.hostIp}:${port.hostPort}/${port.protocol}`;
      if (hostPorts.has(key)) errs.push(duplicate(`${p}.hostPort`, `${port.hostPort}/${port.protocol}`));
      hostPorts.add(key);
    }
    if (!protocols.includes(port.protocol)) errs.push(notSupported(`${p}.protocol`, port.protocol, protocols));
  });

  errs.push(...validateContainerResources(c, `${path}.resources`));

  const probes = [
    ["livenessProbe", c.livenessProbe],
    ["readinessProbe", c.readinessProbe],
    ["startupProbe", c.startupProbe],
  ] as const;
  for (const [name, probe] of probes) {
    if (!probe) continue;
    const p = `${path}.${name}`;
    errs.push(...validateProbe(probe, p));
    // Only readiness may need several successes; only liveness and startup failures kill the container.
    if (name !== "readinessProbe" && probe.successThreshold !== 1) errs.push(invalid(`${p}.successThreshold`, probe.successThreshold, "must be 1"));
    if (name === "readinessProbe" && probe.terminationGracePeriodSeconds !== undefined) {
      errs.push(invalid(`${p}.terminationGracePeriodSeconds`, probe.terminationGracePeriodSeconds, "must not be set for readinessProbes"));
    }
  }

  const mountPaths = new Set<string>();
  c.volumeMounts.forEach((m, j) => {
    const p = `${path}.volumeMounts[${j}]`;
    if (m.name === "") errs.push(required(`${p}.name`));
    else if (!volumes.has(m.name)) errs.push(notFound(`${p}.name`, m.name));
    if (m.mountPath === "") errs.push(required(`${p}.mountPath`));
    else if (!isAbsolutePath(m.mountPath)) errs.push(invalid(`${p}.mountPath`, m.mountPath, "must be an absolute path"));
    else if (mountPaths.has(m.mountPath)) errs.push(invalid(`${p}.mountPath`, m.mountPath, "must be unique"));
    mountPaths.add(m.mountPath);
    if (m.subPath !== "") {
      if (isAbsolutePath(m.subPath)) errs.push(invalid(`${p}.subPath`, m.subPath, "must be a relative path"));
      else if (hasDotDot(m.subPath)) errs.push(invalid(`${p}.subPath`, m.subPath, "must not contain '..'"));
    }
  });
  return errs;
}

function validateProbe(probe: Probe, path: string): FieldError[] {
  const errs: FieldError[] = [];
  const handlers = [
    ["exec", probe.exec],
    ["httpGet", probe.httpGet],
    ["tcpSocket", probe.tcpSocket],
  ] as const;
  const set = handlers.filter(([, handler]) => handler !== undefined).map(([name]) => name);
  if (set.length === 0) errs.push(required(path, "must specify a handler type"));
  for (const extra of set.slice(1)) errs.push(forbidden(`${path}.${extra}`, "may not specify more than 1 handler type"));
  if (probe.exec && probe.exec.command.length === 0) errs.push(required(`${path}.exec.command`));
  if (probe.httpGet) {
    const get = probe.httpGet;
    const p = `${path}.httpGet`;
    if (get.path === "") errs.push(required(`${p}.path`));
    errs.push(...validatePortNumOrName(get.port, `${p}.port`));
    if (!httpSchemes.includes(get.scheme)) errs.push(notSupported(`${p}.scheme`, get.scheme, httpSchemes));
    get.httpHeaders.forEach((h, i) => {
      if (!httpHeaderName.test(h.name)) {
        const rule = regexError("a valid HTTP header must consist of alphanumeric characters or '-'", httpHeaderNameFmt, "X-Header-Name");
        errs.push(invalid(`${p}.httpHeaders[${i}].name`, h.name, rule));
      }
    });
  }
  if (probe.tcpSocket) errs.push(...validatePortNumOrName(probe.tcpSocket.port, `${path}.tcpSocket.port`));
  const counts = [
    ["initialDelaySeconds", probe.initialDelaySeconds],
    ["timeoutSeconds", probe.timeoutSeconds],
    ["periodSeconds", probe.periodSeconds],
    ["successThreshold", probe.successThreshold],
    ["failureThreshold", probe.failureThreshold],
  ] as const;
  for (const [name, value] of counts) errs.push(...nonNegative(`${path}.${name}`, value));
  const grace = probe.terminationGracePeriodSeconds;
  if (grace !== undefined && grace <= 0) errs.push(invalid(`${path}.terminationGracePeriodSeconds`, grace, "must be greater than 0"));
  return errs;
}

/** An IntOrString port: a number in 1..65535 or the name of a container port. */
function validatePortNumOrName(port: string, path: string): FieldError[] {
  if (port === "") return [required(path)];
  if (isIntOrStringInt(port)) return messages(path, Number(port), validatePortNumber(Number(port)));
  return messages(path, port, validatePortName(port));
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

function nonNegative(path: string, value: number | undefined): FieldError[] {
  return value !== undefined && value < 0 ? [invalid(path, value, "must be greater than or equal to 0")] : [];
}

function validateContainerResources(c: Container, path: string): FieldError[] {
  const errs: FieldError[] = [];
  const requests = c.resources?.requests ?? {};
  const limits = c.resources?.limits ?? {};
  for (const [kind, list] of [["limits", limits], ["requests", requests]] as const) {
    for (const [name, q] of Object.entries(list)) {
      const p = `${path}.${kind}[${name}]`;
      errs.push(...validateContainerResourceName(p, name), ...validateResourceQuantity(p, name, q));
    }
  }
  for (const [name, q] of Object.entries(requests)) {
    const limit = limits[name];
    if (limit === undefined || validateQuantity(q).length > 0 || validateQuantity(limit).length > 0) continue;
    if (parseQuantity(q).cmp(parseQuantity(limit)) > 0) {
      errs.push(invalid(`${path}.requests[${name}]`, q, `must be less than or equal to ${name} limit of ${limit}`));
    }
  }
  return errs;
}

function validateContainerResourceName(path: string, name: string): FieldError[] {
  const errs = messages(path, name, validateQualifiedName(name));
  if (errs.length === 0 && !name.includes("/") && !standardContainerResources.has(name) && !name.startsWith("hugepages-")) {
    errs.push(invalid(path, name, "must be a standard resource for containers"));
  }
  return errs;
}

function validateResourceQuantity(path: string, name: string, q: string): FieldError[] {
  const syntax = validateQuantity(q);
  if (syntax.length > 0) return messages(path, q, syntax);
  const quantity = parseQuantity(q);
  if (quantity.sign() < 0) return [invalid(path, q, "must be greater than or equal to 0")];
  if (integerResources.has(name) && quantity.milliValue() % 1000 !== 0) return [invalid(path, q, "must be an integer")];
  return [];
}

function validateToleration(t: Toleration, path: string): FieldError[] {
  const errs: FieldError[] = [];
  if (t.key !== "") errs.push(...messages(`${path}.key`, t.key, validateQualifiedName(t.key)));
  const operator = t.operator || "Equal";
  if (t.key === "" && operator !== "Exists") {
    errs.push(invalid(`${path}.operator`, t.operator, 'operator must be Exists when `key` is empty, which means "match all values and all keys"'));
  }
  if (operator === "Equal") {
    const msgs = validateLabelValue(t.value);
    if (msgs.length > 0) errs.push(invalid(`${path}.value`, t.value, msgs.join("; ")));
  } else if (operator === "Exists") {
    if (t.value !== "") errs.push(invalid(`${path}.value`, t.value, "value must be empty when `operator` is 'Exists'"));
  } else {
    errs.push(notSupported(`${path}.operator`, t.operator, tolerationOperators));
  }
  if (t.effect !== "" && !taintEffects.includes(t.effect)) errs.push(notSupported(`${path}.effect`, t.effect, taintEffects));
  if (t.tolerationSeconds !== undefined && t.effect !== "NoExecute") {
    errs.push(invalid(`${path}.effect`, t.effect, "effect must be 'NoExecute' when `tolerationSeconds` is set"));
  }
  return errs;
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

/** ValidatePodTemplateSpecForReplicaSet: labels the selector matches, a valid pod spec that always restarts. */
function validatePodTemplate(
  template: PodTemplateSpec | undefined,
  matches: ((labels: Readonly<Record<string, string>>) => boolean) | undefined,
  path: string,
): FieldError[] {
  const errs: FieldError[] = [];
  const labels = template?.metadata?.labels ?? {};
  if (matches && !matches(labels)) errs.push(invalid(`${path}.metadata.labels`, labels, "`selector` does not match template `labels`"));
  errs.push(...validateLabels(labels, `${path}.metadata.labels`), ...validateAnnotations(template?.metadata?.annotations, `${path}.metadata.annotations`));
  errs.push(...validatePodSpec(template?.spec, `${path}.spec`));
  const restartPolicy = template?.spec?.restartPolicy ?? "";
  if (restartPolicy !== "Always" && restartPolicies.includes(restartPolicy)) errs.push(notSupported(`${path}.spec.restartPolicy`, restartPolicy, ["Always"]));
  return errs;
}

/** A required, non-empty LabelSelector; answers how it matches, when it is valid. */
function validateWorkloadSelector(
  selector: LabelSelector | undefined,
  kindWord: string,
  path: string,
  errs: FieldError[],
): ((labels: Readonly<Record<string, string>>) => boolean) | undefined {
  if (!selector) {
    errs.push(required(path));
    return undefined;
  }
  const selectorErrs = validateLabelSelector(selector, path);
  errs.push(...selectorErrs);
  if (Object.keys(selector.matchLabels).length + selector.matchExpressions.length === 0) {
    errs.push(invalid(path, LabelSelector.toJSON(selector), `empty selector is invalid for ${kindWord}`));
    return undefined;
  }
  if (selectorErrs.length > 0) return undefined;
  const parsed = selectorFromLabelSelector(selector, path);
  return (labels) => parsed.matches(labels);
}

function validateReplicaSetSpec(spec: ReplicaSetSpec | undefined, path: string): FieldError[] {
  const errs: FieldError[] = [...nonNegative(`${path}.replicas`, spec?.replicas), ...nonNegative(`${path}.minReadySeconds`, spec?.minReadySeconds)];
  const matches = validateWorkloadSelector(spec?.selector, "replicaset", `${path}.selector`, errs);
  errs.push(...validatePodTemplate(spec?.template, matches, `${path}.template`));
  return errs;
}

function validateReplicationControllerSpec(spec: ReplicationControllerSpec | undefined, path: string): FieldError[] {
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
  errs.push(...validatePodTemplate(spec?.template, matches, `${path}.template`));
  return errs;
}

function validateDeploymentSpec(spec: DeploymentSpec | undefined, path: string): FieldError[] {
  const errs: FieldError[] = [...nonNegative(`${path}.replicas`, spec?.replicas)];
  const matches = validateWorkloadSelector(spec?.selector, "deployment", `${path}.selector`, errs);
  errs.push(...validatePodTemplate(spec?.template, matches, `${path}.template`));
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

function validateIP(path: string, value: string): FieldError[] {
  return isIP(value) === 0 ? [invalid(path, value, "must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)")] : [];
}

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

/** A port of an Endpoints subset or an EndpointSlice: a DNS label name (required when there are several), a number, a protocol. */
function validateEndpointPorts(
  ports: readonly { name?: string | undefined; port?: number | undefined; protocol?: string | undefined }[],
  path: string,
  nameRequired: boolean,
): FieldError[] {
  const errs: FieldError[] = [];
  const names = new Set<string>();
  ports.forEach((port, i) => {
    const p = `${path}[${i}]`;
    const name = port.name ?? "";
    if (name === "") {
      if (nameRequired && ports.length > 1) errs.push(required(`${p}.name`));
    } else if (names.has(name)) {
      errs.push(duplicate(`${p}.name`, name));
    } else {
      errs.push(...messages(`${p}.name`, name, validateDNS1123Label(name)));
    }
    names.add(name);
    if (port.port !== undefined && (nameRequired || port.port !== 0)) errs.push(...messages(`${p}.port`, port.port, validatePortNumber(port.port)));
    const protocol = port.protocol ?? "";
    if (!protocols.includes(protocol)) errs.push(notSupported(`${p}.protocol`, protocol, protocols));
  });
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
