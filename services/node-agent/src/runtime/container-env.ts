import type { Container, EnvVarSource, Pod, Service } from "@capstan/api";
import { validateEnvVarName } from "@capstan/apimachinery";
import { configData, isConfigError, podFieldValue, resourceFieldValue, type ConfigError, type ConfigObjects, type NodeFacts } from "./config-objects.js";

/** The PATH a container gets when neither the image nor the spec sets one (the Debian image's). */
export const defaultPath = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

/**
 * Kubernetes' `$(VAR_NAME)` expansion for env values, command and args: a defined variable is replaced,
 * an undefined one stays as written, and `$$` is an escaped `$`.
 */
export function expandVariables(input: string, lookup: (name: string) => string | undefined): string {
  if (!input.includes("$")) return input;
  let out = "";
  let i = 0;
  while (i < input.length) {
    const ch = input[i];
    if (ch !== "$" || i + 1 === input.length) {
      out += ch;
      i++;
      continue;
    }
    const next = input[i + 1];
    if (next === "$") {
      out += "$";
      i += 2;
    } else if (next === "(") {
      const close = input.indexOf(")", i + 2);
      if (close === -1) {
        out += "$(";
        i += 2;
        continue;
      }
      const name = input.slice(i + 2, close);
      out += lookup(name) ?? `$(${name})`;
      i = close + 1;
    } else {
      out += "$" + next;
      i += 2;
    }
  }
  return out;
}

export interface PodIdentity {
  name: string;
  namespace: string;
  podIP: string;
  hostname: string;
}

/** The Services the kubelet always links, whatever enableServiceLinks says: the API server's, in `default`. */
const masterServices = new Set(["kubernetes"]);
const masterServiceNamespace = "default";

/**
 * Which Services a container of a pod in `namespace` gets variables for (the kubelet's
 * getServiceEnvVarMap): those with a cluster IP in the pod's namespace when enableServiceLinks is
 * unset or true, and the master services of `default` always; a name in the pod's namespace wins.
 */
export function linkedServices(services: readonly Service[], namespace: string, enableServiceLinks: boolean): Service[] {
  const byName = new Map<string, Service>();
  for (const svc of services) {
    if (!hasClusterIP(svc)) continue;
    const name = svc.metadata?.name ?? "";
    const ns = svc.metadata?.namespace || "default";
    if (ns === namespace && enableServiceLinks) byName.set(name, svc);
    else if (ns === masterServiceNamespace && masterServices.has(name) && !byName.has(name)) byName.set(name, svc);
  }
  return [...byName.values()];
}

function hasClusterIP(svc: Service): boolean {
  const ip = svc.spec?.clusterIp ?? "";
  return ip !== "" && ip !== "None";
}

/** `my-service` → `MY_SERVICE`. */
function envName(name: string): string {
  return name.toUpperCase().replaceAll("-", "_");
}

/**
 * Kubernetes' service variables (pkg/kubelet/envvars): `<NAME>_SERVICE_HOST`, `<NAME>_SERVICE_PORT`
 * (the first port), `<NAME>_SERVICE_PORT_<PORTNAME>` for each named port, and Docker's link variables
 * `<NAME>_PORT` (the first port) and `<NAME>_PORT_<port>_<PROTO>[_PROTO|_PORT|_ADDR]` for each port.
 */
export function serviceEnvironment(services: readonly Service[]): Record<string, string> {
  const env: Record<string, string> = {};
  for (const svc of services) {
    const ip = svc.spec?.clusterIp ?? "";
    const ports = svc.spec?.ports ?? [];
    if (!hasClusterIP(svc) || ports.length === 0) continue;
    const prefix = envName(svc.metadata?.name ?? "");
    env[`${prefix}_SERVICE_HOST`] = ip;
    env[`${prefix}_SERVICE_PORT`] = String(ports[0]!.port);
    for (const p of ports) if (p.name) env[`${prefix}_SERVICE_PORT_${envName(p.name)}`] = String(p.port);
    ports.forEach((p, i) => {
      const protocol = (p.protocol || "TCP").toUpperCase();
      const url = `${protocol.toLowerCase()}://${ip}:${p.port}`;
      if (i === 0) env[`${prefix}_PORT`] = url;
      const portPrefix = `${prefix}_PORT_${p.port}_${protocol}`;
      env[portPrefix] = url;
      env[`${portPrefix}_PROTO`] = protocol.toLowerCase();
      env[`${portPrefix}_PORT`] = String(p.port);
      env[`${portPrefix}_ADDR`] = ip;
    });
  }
  return env;
}

/** What a container's environment is made of besides its spec. */
export interface EnvContext {
  pod: Pod;
  identity: PodIdentity;
  node: NodeFacts;
  objects: ConfigObjects;
  /** The variables of the Services the pod links. */
  services?: Record<string, string>;
}

export interface ContainerEnvironment {
  env: Record<string, string>;
  /** Warnings for keys of envFrom sources that are no variable names and were skipped, as the kubelet's events word them. */
  skipped: string[];
}

/**
 * The container's environment (the kubelet's makeEnvironmentVariables): the runtime's defaults, the
 * pod's identity (POD_IP, POD_NAME, POD_NAMESPACE, HOSTNAME), the service variables, every key of the
 * envFrom sources, then the spec's `env` in order — a `value` expanded against what precedes it, a
 * `valueFrom` as its source has it. A missing ConfigMap, Secret or key that is not optional is a
 * ConfigError: the container cannot start until it appears.
 */
export function containerEnvironment(container: Container, ctx: EnvContext): ContainerEnvironment | ConfigError {
  const { identity } = ctx;
  const env: Record<string, string> = {
    PATH: defaultPath,
    HOME: "/root",
    HOSTNAME: identity.hostname,
    POD_IP: identity.podIP,
    POD_NAME: identity.name,
    POD_NAMESPACE: identity.namespace,
    ...ctx.services,
  };
  const skipped: string[] = [];
  for (const from of container.envFrom) {
    const ref = from.configMapRef ?? from.secretRef;
    if (!ref) continue;
    const kind = from.configMapRef ? "configmap" : "secret";
    const data = configData(kind, ctx.objects, identity.namespace, ref.name);
    if (isConfigError(data)) {
      if (ref.optional) continue;
      return data;
    }
    const invalid: string[] = [];
    for (const [key, value] of Object.entries(data)) {
      const name = from.prefix + key;
      if (validateEnvVarName(name).length > 0) invalid.push(name);
      else env[name] = value;
    }
    if (invalid.length > 0) {
      const what = kind === "configmap" ? "configMap" : "secret";
      skipped.push(`Keys [${invalid.sort().join(", ")}] from the EnvFrom ${what} ${identity.namespace}/${ref.name} were skipped since they are considered invalid environment variable names.`);
    }
  }
  for (const v of container.env) {
    if (v.value !== "" || !v.valueFrom) {
      env[v.name] = expandVariables(v.value, (name) => env[name]);
      continue;
    }
    const value = valueFrom(v.valueFrom, container.name, ctx);
    if (isConfigError(value)) return value;
    if (value !== undefined) env[v.name] = value;
  }
  return { env, skipped };
}

/** One valueFrom's value; undefined when an optional source or key is missing (the variable is then not set). */
function valueFrom(from: EnvVarSource, containerName: string, ctx: EnvContext): string | undefined | ConfigError {
  if (from.fieldRef) return podFieldValue(from.fieldRef, ctx.pod, ctx.identity, ctx.node);
  if (from.resourceFieldRef) return resourceFieldValue(from.resourceFieldRef, ctx.pod, containerName, ctx.node);
  const ref = from.configMapKeyRef ?? from.secretKeyRef;
  if (!ref) return undefined;
  const kind = from.configMapKeyRef ? "configmap" : "secret";
  const { namespace } = ctx.identity;
  const data = configData(kind, ctx.objects, namespace, ref.name);
  if (isConfigError(data)) return ref.optional ? undefined : data;
  const value = data[ref.key];
  if (value !== undefined || ref.optional) return value;
  return { configError: `couldn't find key ${ref.key} in ${kind === "configmap" ? "ConfigMap" : "Secret"} ${namespace}/${ref.name}` };
}

/** What `hostname` says inside the pod: spec.hostname, else the pod name, cut to a valid host name. */
export function podHostname(pod: Pod): string {
  const name = pod.spec?.hostname || pod.metadata?.name || "pod";
  return name.slice(0, 63).replace(/[.-]+$/, "");
}
