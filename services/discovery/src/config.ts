import { isIPv4 } from "node:net";
import { networkInterfaces } from "node:os";
import { DEFAULT_SERVICE_CIDR, clusterDNSIP } from "@capstan/api";
import { parseListenAddress } from "@capstan/telemetry";

/** The discovery service's settings, from the environment. */
export interface DiscoveryConfig {
  readonly gateway: string;
  readonly natsUrl: string;
  readonly prefix: string;
  readonly leaseDurationMs: number;
  /** Where the DNS server listens (CAPSTAN_DNS_LISTEN); port 0 picks a free one. */
  readonly dnsHost: string;
  readonly dnsPort: number;
  /** The address the kube-dns endpoints name: the listen host, or this machine's when that is a wildcard. */
  readonly dnsAdvertiseAddress: string;
  /** CAPSTAN_CLUSTER_DOMAIN, "cluster.local" unless told. */
  readonly clusterDomain: string;
  /** CAPSTAN_CLUSTER_DNS_IP, or the 10th address of CAPSTAN_SERVICE_CIDR. */
  readonly clusterDNSIP: string;
}

const DEFAULT_DNS_LISTEN = "127.0.0.1:10053";

/**
 * NATS_URL, CAPSTAN_GATEWAY, CAPSTAN_PREFIX, CAPSTAN_LEASE_SECONDS (15), CAPSTAN_DNS_LISTEN
 * (127.0.0.1:10053), CAPSTAN_CLUSTER_DOMAIN (cluster.local), CAPSTAN_CLUSTER_DNS_IP, CAPSTAN_SERVICE_CIDR.
 */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): DiscoveryConfig {
  const { host, port } = parseListenAddress("CAPSTAN_DNS_LISTEN", env["CAPSTAN_DNS_LISTEN"] || DEFAULT_DNS_LISTEN);
  const dnsIP = env["CAPSTAN_CLUSTER_DNS_IP"] || clusterDNSIP(env["CAPSTAN_SERVICE_CIDR"] || DEFAULT_SERVICE_CIDR);
  if (!isIPv4(dnsIP)) throw new Error(`CAPSTAN_CLUSTER_DNS_IP: Invalid value "${dnsIP}": must be an IPv4 address`);
  return {
    gateway: env["CAPSTAN_GATEWAY"] ?? "127.0.0.1:7470",
    natsUrl: env["NATS_URL"] ?? "nats://127.0.0.1:4222",
    prefix: env["CAPSTAN_PREFIX"] ?? "capstan",
    leaseDurationMs: positiveSeconds(env, "CAPSTAN_LEASE_SECONDS", 15) * 1000,
    dnsHost: host,
    dnsPort: port,
    dnsAdvertiseAddress: host === "0.0.0.0" ? machineAddress() : host,
    clusterDomain: env["CAPSTAN_CLUSTER_DOMAIN"] || "cluster.local",
    clusterDNSIP: dnsIP,
  };
}

function positiveSeconds(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
  const raw = env[name];
  if (raw === undefined || raw === "") return fallback;
  const n = Number(raw);
  if (!Number.isFinite(n) || n <= 0) throw new Error(`${name}: Invalid value "${raw}": must be a positive number of seconds`);
  return n;
}

/** The first external IPv4 address of this machine (a container's own), else loopback. */
function machineAddress(): string {
  for (const addresses of Object.values(networkInterfaces())) {
    const found = addresses?.find((a) => a.family === "IPv4" && !a.internal);
    if (found) return found.address;
  }
  return "127.0.0.1";
}
