/**
 * kubectl create namespace, create deployment and create service clusterip|nodeport: the objects
 * kubectl's generators build (create_namespace.go, create_deployment.go, create_service.go), with
 * their defaults and their client-side checks; the server validates the rest.
 */
import { randomInt } from "node:crypto";
import { validatePortName } from "@capstan/apimachinery";
import type { Json } from "../printers.js";

export function namespaceFrom(name: string): Json {
  return { apiVersion: "v1", kind: "Namespace", metadata: { name } };
}

/** The alphabet of Kubernetes' utilrand.String, which leaves out vowels and look-alike characters. */
const RANDOM_ALPHABET = "bcdfghjklmnpqrstvwxz2456789";

/** sanitizeAndUniquify: an image name with `_` or `.` is no container name; kubectl dashes it and adds a random suffix. */
function containerNameOf(image: string): string {
  const base = (image.split("/").at(-1) ?? image).split(":")[0]!.split("@")[0]!;
  if (!/[_.]/.test(base)) return base;
  const suffix = Array.from({ length: 5 }, () => RANDOM_ALPHABET[randomInt(RANDOM_ALPHABET.length)]).join("");
  return `${base.replace(/[_.]/g, "-")}-${suffix}`;
}

export interface DeploymentFlags {
  readonly images: readonly string[];
  readonly replicas?: number;
  /** The first container's port; unset: none. */
  readonly port?: number;
  /** The command after `--`, given to every container. */
  readonly command?: readonly string[];
}

/** `create deployment NAME --image=I...`: labelled and selected by app=NAME, one container per image. */
export function deploymentFrom(name: string, flags: DeploymentFlags): Json {
  if (flags.images.length === 0) throw new Error('required flag(s) "image" not set');
  if (flags.images.length > 1 && flags.command?.length) throw new Error("cannot specify multiple --image options and command");
  // A fresh object each time: shared ones would print as YAML anchors.
  const labels = () => ({ app: name });
  const containers: Json[] = flags.images.map((image) => ({
    name: containerNameOf(image),
    image,
    ...(flags.command?.length ? { command: [...flags.command] } : {}),
  }));
  if (flags.port !== undefined && flags.port >= 0) containers[0] = { ...containers[0], ports: [{ containerPort: flags.port }] };
  return {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name, labels: labels() },
    spec: { replicas: flags.replicas ?? 1, selector: { matchLabels: labels() }, template: { metadata: { labels: labels() }, spec: { containers } } },
  };
}

/** Go's strconv.ParseUint as utilsnet.ParsePort uses it (0 allowed), with its messages. */
function parsePort(text: string): number {
  if (!/^\d+$/.test(text)) throw new Error(`strconv.ParseUint: parsing ${JSON.stringify(text)}: invalid syntax`);
  const port = Number(text);
  if (port > 65535) throw new Error(`strconv.ParseUint: parsing ${JSON.stringify(text)}: value out of range`);
  return port;
}

/** parsePorts: `PORT` (the target the same) or `PORT:TARGET`, a target being a number or a port name. */
function servicePortOf(spec: string): Json {
  const [portText = "", target] = spec.split(":");
  const port = parsePort(portText);
  let targetPort: number | string = port;
  if (target !== undefined) {
    if (/^-?\d+$/.test(target)) {
      targetPort = Number(target);
      if (targetPort < 1 || targetPort > 65535) throw new Error("must be between 1 and 65535, inclusive");
    } else {
      const errs = validatePortName(target);
      if (errs.length > 0) throw new Error(errs.join(","));
      targetPort = target;
    }
  }
  return { name: spec.replaceAll(":", "-"), port, targetPort, protocol: "TCP" };
}

export type CreatedServiceType = "ClusterIP" | "NodePort";

export interface ServiceFlags {
  readonly tcp: readonly string[];
  /** clusterip only: "None" for a headless service. */
  readonly clusterIP?: string;
  /** nodeport only: the node port of every port; unset: the server picks. */
  readonly nodePort?: number;
}

/** `create service clusterip|nodeport NAME --tcp=P[:T]...`: selecting app=NAME, every port TCP. */
export function serviceFrom(type: CreatedServiceType, name: string, flags: ServiceFlags): Json {
  if (flags.tcp.length === 0) throw new Error("at least one tcp port specifier must be provided");
  const ports = flags.tcp.map(servicePortOf).map((p) => (flags.nodePort ? { ...p, nodePort: flags.nodePort } : p));
  return {
    apiVersion: "v1",
    kind: "Service",
    metadata: { name, labels: { app: name } },
    spec: { ports, selector: { app: name }, type, ...(type === "ClusterIP" && flags.clusterIP ? { clusterIP: flags.clusterIP } : {}) },
  };
}
