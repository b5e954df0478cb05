/**
 * The Service IP range (CAPSTAN_SERVICE_CIDR): the gateway allocates cluster IPs from it, the node agent
 * makes it routable on the host. One parser for both, so they can never disagree on what it means.
 */

export const DEFAULT_SERVICE_CIDR = "10.96.0.0/16";

export interface IPv4CIDR {
  /** The network address as a 32-bit number. */
  readonly base: number;
  /** How many addresses the CIDR holds. */
  readonly count: number;
}

/** "10.0.0.7" → 167772167; undefined for anything but a dotted IPv4 address. */
export function parseIPv4(ip: string): number | undefined {
  const parts = ip.split(".");
  if (parts.length !== 4 || !parts.every((p) => /^(0|[1-9][0-9]{0,2})$/.test(p) && Number(p) <= 255)) return undefined;
  return parts.reduce((n, p) => n * 256 + Number(p), 0);
}

export function formatIPv4(n: number): string {
  return [24, 16, 8, 0].map((shift) => Math.floor(n / 2 ** shift) % 256).join(".");
}

/** "10.96.0.0/16" → its network address and size; throws for anything but an IPv4 CIDR with room for a service. */
export function parseCIDR(cidr: string): IPv4CIDR {
  const [ip = "", bits = ""] = cidr.split("/");
  const addr = parseIPv4(ip);
  const prefix = /^[0-9]{1,2}$/.test(bits) ? Number(bits) : NaN;
  if (addr === undefined || !(prefix >= 8 && prefix <= 30)) throw new Error(`service CIDR ${JSON.stringify(cidr)}: must be an IPv4 CIDR between /8 and /30`);
  const count = 2 ** (32 - prefix);
  return { base: addr - (addr % count), count };
}

/** Whether every address of `inner` lies in `outer`. */
export function cidrWithin(inner: IPv4CIDR, outer: IPv4CIDR): boolean {
  return inner.base >= outer.base && inner.base + inner.count <= outer.base + outer.count;
}

/** 127.0.0.0/8: on Linux all of it is already local on the loopback interface. */
export const LOOPBACK_CIDR: IPv4CIDR = { base: 127 * 2 ** 24, count: 2 ** 24 };

/** Where the cluster DNS Service's address lies in the service range: the 10th address, as kubeadm picks it. */
export const CLUSTER_DNS_OFFSET = 10;

/**
 * The cluster DNS Service's address (kube-system/kube-dns) unless CAPSTAN_CLUSTER_DNS_IP names another:
 * 10.96.0.10 for 10.96.0.0/16. Pods' resolv.conf names it; the gateway never hands it to another Service.
 */
export function clusterDNSIP(serviceCIDR: string): string {
  const { base, count } = parseCIDR(serviceCIDR);
  if (CLUSTER_DNS_OFFSET >= count - 1) throw new Error(`service CIDR ${JSON.stringify(serviceCIDR)}: too small to hold the cluster DNS address (the 10th)`);
  return formatIPv4(base + CLUSTER_DNS_OFFSET);
}
