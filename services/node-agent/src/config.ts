import { cpus, hostname, totalmem } from "node:os";
import { join } from "node:path";
import { clusterDNSIP, DEFAULT_SERVICE_CIDR, parseCIDR, parseIPv4 } from "@capstan/api";
import { nodeIPOf } from "./runtime/pod-network.js";

export interface NodeAgentConfig {
  readonly nodeName: string;
  readonly gateway: string;
  readonly natsUrl: string;
  readonly prefix: string;
  readonly stateDir: string;
  /** First two octets of this node's pod addresses in 127.0.0.0/8, e.g. "127.1". */
  readonly podIPBase: string;
  /** The Node's InternalIP (CAPSTAN_NODE_IP): its endpoints and NodePorts listen here. Default: the first address of the pod range. */
  readonly nodeIP: string;
  /** Where Services' cluster IPs come from (CAPSTAN_SERVICE_CIDR, as the gateway reads it); the proxy makes it local. */
  readonly serviceCIDR: string;
  /** Pods with dnsPolicy ClusterFirst ask this server (CAPSTAN_CLUSTER_DNS_IP, default the 10th address of the service CIDR). */
  readonly clusterDNS: string;
  /** CAPSTAN_CLUSTER_DOMAIN, "cluster.local" unless told. */
  readonly clusterDomain: string;
  /** CAPSTAN_IMAGE_CATALOG: a JSON file of image aliases (see runtime/image-catalog.ts), if any. */
  readonly imageCatalog: string | undefined;
  /** CAPSTAN_IMAGE_PULL_BACKOFF_BASE_MS: the image pull back-off's first wait (kubelet's 10 s; tests shorten it); it doubles to 300 s. */
  readonly imagePullBackoffBaseMs: number;
  /** A UDP client's upstream socket closes after this long without a datagram either way (conntrack's UDP timeout). */
  readonly proxyUDPIdleTimeoutMs: number;
  /** Port of the kubelet-style endpoint (logs); 0 picks a free one. */
  readonly port: number;
  /** How often the node lease is renewed and the Node's status looked at (kubelet's nodeStatusUpdateFrequency). */
  readonly heartbeatSeconds: number;
  /** The Node's status is written when it changes, or at least this often (kubelet's nodeStatusReportFrequency). */
  readonly nodeStatusReportSeconds: number;
  readonly capacity: { cpu: string; memory: string; pods: string; "ephemeral-storage": string };
  readonly labels: Record<string, string>;
  /** CAPSTAN_STATIC_POD_DIR: manifests of pods this node runs on its own (static pods), if any. */
  readonly staticPodDir: string | undefined;
  /** CAPSTAN_STATIC_POD_RESCAN_SECONDS: the directory is read again this often besides being watched (kubelet's fileCheckFrequency, 20). */
  readonly staticPodRescanSeconds: number;
}

function parseLabels(raw: string | undefined): Record<string, string> {
  const labels: Record<string, string> = {};
  for (const pair of (raw ?? "").split(",").filter(Boolean)) {
    const [k, v = ""] = pair.split("=");
    if (k) labels[k.trim()] = v.trim();
  }
  return labels;
}

function ipFrom(name: string, raw: string): string {
  if (parseIPv4(raw) === undefined) throw new Error(`${name}: Invalid value "${raw}": must be an IPv4 address`);
  return raw;
}

/** A setting that is a count or a number of milliseconds: `fallback` when unset. */
export function nonNegative(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
  const raw = env[name];
  if (raw === undefined || raw === "") return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 0) throw new Error(`${name}: Invalid value "${raw}": must be a non-negative integer`);
  return value;
}

export function loadConfig(): NodeAgentConfig {
  const env = process.env;
  const nodeName = env["CAPSTAN_NODE_NAME"] ?? hostname().toLowerCase();
  const podIPBase = env["CAPSTAN_POD_IP_BASE"] ?? "127.1";
  const serviceCIDR = env["CAPSTAN_SERVICE_CIDR"] || DEFAULT_SERVICE_CIDR;
  parseCIDR(serviceCIDR);
  return {
    nodeName,
    gateway: env["CAPSTAN_GATEWAY"] ?? "127.0.0.1:7470",
    natsUrl: env["NATS_URL"] ?? "nats://127.0.0.1:4222",
    prefix: env["CAPSTAN_PREFIX"] ?? "capstan",
    stateDir: env["CAPSTAN_NODE_STATE_DIR"] ?? join(env["CAPSTAN_DATA_DIR"] ?? ".capstan", "nodes", nodeName),
    podIPBase,
    nodeIP: env["CAPSTAN_NODE_IP"] ? ipFrom("CAPSTAN_NODE_IP", env["CAPSTAN_NODE_IP"]) : nodeIPOf(podIPBase),
    serviceCIDR,
    clusterDNS: ipFrom("CAPSTAN_CLUSTER_DNS_IP", env["CAPSTAN_CLUSTER_DNS_IP"] || clusterDNSIP(serviceCIDR)),
    clusterDomain: env["CAPSTAN_CLUSTER_DOMAIN"] || "cluster.local",
    imageCatalog: env["CAPSTAN_IMAGE_CATALOG"] || undefined,
    imagePullBackoffBaseMs: nonNegative(env, "CAPSTAN_IMAGE_PULL_BACKOFF_BASE_MS", 10_000),
    proxyUDPIdleTimeoutMs: Number(env["CAPSTAN_PROXY_UDP_IDLE_TIMEOUT_MS"] ?? 30_000),
    port: Number(env["CAPSTAN_NODE_PORT"] ?? 0),
    heartbeatSeconds: Number(env["CAPSTAN_HEARTBEAT_SECONDS"] ?? 10),
    nodeStatusReportSeconds: Number(env["CAPSTAN_NODE_STATUS_REPORT_SECONDS"] ?? 300),
    capacity: {
      cpu: env["CAPSTAN_NODE_CPU"] ?? String(cpus().length),
      memory: env["CAPSTAN_NODE_MEMORY"] ?? `${Math.floor(totalmem() / 1024)}Ki`,
      pods: env["CAPSTAN_NODE_PODS"] ?? "110",
      "ephemeral-storage": env["CAPSTAN_NODE_EPHEMERAL_STORAGE"] ?? "100Gi",
    },
    labels: parseLabels(env["CAPSTAN_NODE_LABELS"]),
    staticPodDir: env["CAPSTAN_STATIC_POD_DIR"] || undefined,
    staticPodRescanSeconds: Number(env["CAPSTAN_STATIC_POD_RESCAN_SECONDS"] ?? 20),
  };
}
