/**
 * Validation of a pod spec wherever it appears — a Pod's spec, a workload's pod template — with
 * Kubernetes' rules and wording (pkg/apis/core/validation ValidatePodSpec, ValidatePodTemplateSpec):
 * containers, probes, volumes, resources, tolerations, DNS, and the selector a workload matches its
 * template with.
 */
import {
  field,
  parseQuantity,
  regexError,
  selectorFromLabelSelector,
  validateAnnotations,
  validateDNS1123Label,
  validateDNS1123Subdomain,
  validateLabelSelector,
  validateLabels,
  validateLabelValue,
  validatePortName,
  validatePortNumber,
  validateQualifiedName,
  validateQuantity,
  type FieldError,
} from "@capstan/apimachinery";
import { isIP } from "node:net";
import { validateConfigVolume } from "./config-volume-validation.js";
import { validateEnv, validateEnvFrom } from "./env-validation.js";
import type { Container, PodDNSConfig, PodSpec, PodTemplateSpec, Probe, ResourceRequirements, Toleration, Volume } from "./gen/capstan/v1/core.js";
import { LabelSelector } from "./gen/capstan/v1/meta.js";
import {
  hasDotDot,
  isAbsolutePath,
  messages,
  nonNegative,
  protocols,
  taintEffects,
  validatePortNumOrName,
  validateResourceQuantity,
} from "./field-validation.js";
import {
  validateAffinity,
  validatePreemptionPolicy,
  validateSchedulingGates,
  validateTopologySpreadConstraints,
} from "./scheduling-validation.js";

const { required, invalid, notSupported, duplicate, notFound, forbidden } = field;

const restartPolicies = ["Always", "OnFailure", "Never"];
const dnsPolicies = ["ClusterFirstWithHostNet", "ClusterFirst", "Default", "None"];
const pullPolicies = ["Always", "IfNotPresent", "Never"];
const terminationMessagePolicies = ["File", "FallbackToLogsOnError"];
const tolerationOperators = ["Equal", "Exists"];
const hostPathTypes = ["", "DirectoryOrCreate", "Directory", "FileOrCreate", "File", "Socket", "CharDevice", "BlockDevice"];
const httpSchemes = ["HTTP", "HTTPS"];
const httpHeaderNameFmt = "[-A-Za-z0-9]+";
const httpHeaderName = new RegExp(`^${httpHeaderNameFmt}$`);
const standardContainerResources = new Set(["cpu", "memory", "ephemeral-storage"]);

/**
 * ValidatePodSpec of a defaulted spec. Container resources are judged as `written` has them: defaulting
 * copies a limit into requests, and validating that would report each resource problem twice.
 */
export function validatePodSpec(spec: PodSpec | undefined, written: PodSpec | undefined, path: string): FieldError[] {
  const errs: FieldError[] = [];
  const containers = spec?.containers ?? [];
  // A resourceFieldRef may name any container of the pod.
  const allNames = new Set([...containers, ...(spec?.initContainers ?? [])].map((c) => c.name));
  const volumes = validateVolumes(spec?.volumes ?? [], `${path}.volumes`, allNames, errs);
  if (containers.length === 0) errs.push(required(`${path}.containers`));

  const containerNames = new Set<string>();
  const hostPorts = new Set<string>();
  containers.forEach((c, i) => {
    const p = `${path}.containers[${i}]`;
    if (c.name === "") errs.push(required(`${p}.name`));
    else if (containerNames.has(c.name)) errs.push(duplicate(`${p}.name`, c.name));
    else errs.push(...messages(`${p}.name`, c.name, validateDNS1123Label(c.name)));
    containerNames.add(c.name);
    errs.push(...validateContainer(c, written?.containers[i]?.resources, p, volumes, hostPorts, allNames));
    if (c.restartPolicy !== undefined) errs.push(forbidden(`${p}.restartPolicy`, "may not be set for non-init containers"));
  });
  (spec?.initContainers ?? []).forEach((c, i) => {
    const p = `${path}.initContainers[${i}]`;
    if (c.name === "") errs.push(required(`${p}.name`));
    else if (containerNames.has(c.name)) errs.push(duplicate(`${p}.name`, c.name));
    else errs.push(...messages(`${p}.name`, c.name, validateDNS1123Label(c.name)));
    containerNames.add(c.name);
    errs.push(...validateContainer(c, written?.initContainers[i]?.resources, p, volumes, hostPorts, allNames), ...validateInitContainerRules(c, p));
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
function validateVolumes(volumes: readonly Volume[], volumesPath: string, containerNames: ReadonlySet<string>, errs: FieldError[]): Set<string> {
  const names = new Set<string>();
  volumes.forEach((v, i) => {
    const path = `${volumesPath}[${i}]`;
    if (v.name === "") errs.push(required(`${path}.name`));
    else if (names.has(v.name)) errs.push(duplicate(`${path}.name`, v.name));
    else errs.push(...messages(`${path}.name`, v.name, validateDNS1123Label(v.name)));
    names.add(v.name);

    const sources = [
      v.emptyDir && "emptyDir",
      v.hostPath && "hostPath",
      v.persistentVolumeClaim && "persistentVolumeClaim",
      v.configMap && "configMap",
      v.secret && "secret",
      v.downwardApi && "downwardAPI",
      v.projected && "projected",
    ].filter((s): s is string => typeof s === "string");
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
    errs.push(...validateConfigVolume(v, path, containerNames));
  });
  return names;
}

/**
 * What an init container may not have (validateInitContainers): probes, since it runs to completion
 * before the pod can be ready, unless restartPolicy Always makes it a native sidecar that keeps running.
 */
function validateInitContainerRules(c: Container, path: string): FieldError[] {
  const errs: FieldError[] = [];
  if (c.restartPolicy !== undefined && c.restartPolicy !== "Always") errs.push(notSupported(`${path}.restartPolicy`, c.restartPolicy, ["Always"]));
  if (c.restartPolicy === "Always") return errs;
  const probes = [
    ["livenessProbe", c.livenessProbe],
    ["readinessProbe", c.readinessProbe],
    ["startupProbe", c.startupProbe],
  ] as const;
  for (const [name, probe] of probes) {
    if (probe) errs.push(forbidden(`${path}.${name}`, "may not be set for init containers without restartPolicy=Always"));
  }
  return errs;
}

function validateContainer(
  c: Container,
  resources: ResourceRequirements | undefined,
  path: string,
  volumes: ReadonlySet<string>,
  hostPorts: Set<string>,
  containerNames: ReadonlySet<string>,
): FieldError[] {
  const errs: FieldError[] = [];
  if (c.image === "") errs.push(required(`${path}.image`));
  else if (c.image.trim() !== c.image) errs.push(invalid(`${path}.image`, c.image, "must not have leading or trailing whitespace"));
  if (!pullPolicies.includes(c.imagePullPolicy)) errs.push(notSupported(`${path}.imagePullPolicy`, c.imagePullPolicy, pullPolicies));
  if (!terminationMessagePolicies.includes(c.terminationMessagePolicy)) {
    errs.push(notSupported(`${path}.terminationMessagePolicy`, c.terminationMessagePolicy, terminationMessagePolicies));
  }

  errs.push(...validateEnv(c.env, `${path}.env`, containerNames), ...validateEnvFrom(c.envFrom, `${path}.envFrom`));

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

  errs.push(...validateContainerResources(resources, `${path}.resources`));

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

function validateContainerResources(resources: ResourceRequirements | undefined, path: string): FieldError[] {
  const errs: FieldError[] = [];
  const requests = resources?.requests ?? {};
  const limits = resources?.limits ?? {};
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

/** ValidatePodTemplateSpecForReplicaSet: labels the selector matches, a valid pod spec restarting as the workload allows (Always; a Job: OnFailure or Never). */
export function validatePodTemplate(
  template: PodTemplateSpec | undefined,
  written: PodTemplateSpec | undefined,
  matches: ((labels: Readonly<Record<string, string>>) => boolean) | undefined,
  path: string,
  allowedRestartPolicies: readonly string[] = ["Always"],
): FieldError[] {
  const errs: FieldError[] = [];
  const labels = template?.metadata?.labels ?? {};
  if (matches && !matches(labels)) errs.push(invalid(`${path}.metadata.labels`, labels, "`selector` does not match template `labels`"));
  errs.push(...validateLabels(labels, `${path}.metadata.labels`), ...validateAnnotations(template?.metadata?.annotations, `${path}.metadata.annotations`));
  errs.push(...validatePodSpec(template?.spec, written?.spec, `${path}.spec`));
  const restartPolicy = template?.spec?.restartPolicy ?? "";
  if (!allowedRestartPolicies.includes(restartPolicy) && restartPolicies.includes(restartPolicy)) {
    errs.push(notSupported(`${path}.spec.restartPolicy`, restartPolicy, allowedRestartPolicies));
  }
  return errs;
}

/** A required, non-empty LabelSelector; answers how it matches, when it is valid. */
export function validateWorkloadSelector(
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
