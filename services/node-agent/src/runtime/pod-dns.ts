import type { ResolvConf } from "@capstan/apimachinery";
import type { Pod, PodDNSConfig } from "@capstan/api";

/**
 * The two files the kubelet writes for a pod's name resolution (pkg/kubelet/network/dns and
 * kubelet_pods.go): /etc/resolv.conf after the pod's dnsPolicy and dnsConfig, and /etc/hosts with the
 * pod's own name.
 */

/** The node's DNS settings (kubelet's --cluster-dns, --cluster-domain, --resolv-conf). */
export interface ClusterDNS {
  /** The cluster DNS Service's address(es). */
  servers: string[];
  /** e.g. "cluster.local". */
  domain: string;
}

/** glibc reads at most 3 nameservers; the kubelet keeps at most 32 search domains. */
const maxNameservers = 3;
const maxSearches = 32;

/**
 * The pod's resolv.conf: ClusterFirst (and ClusterFirstWithHostNet, as pods never use the host's network
 * namespace here) asks the cluster DNS, searching the pod's namespace first, then the host's domains;
 * Default, or ClusterFirst on a node without a cluster DNS, is the host's file; None starts empty. dnsConfig is then merged in: its nameservers and
 * searches are appended, its options override those of the same name.
 */
export function podResolvConf(pod: Pod, dns: ClusterDNS, host: ResolvConf): ResolvConf {
  const namespace = pod.metadata?.namespace || "default";
  let conf: ResolvConf;
  switch (pod.spec?.dnsPolicy || "ClusterFirst") {
    case "Default":
      conf = { nameservers: [...host.nameservers], searches: [...host.searches], options: [...host.options] };
      break;
    case "None":
      conf = { nameservers: [], searches: [], options: [] };
      break;
    default: {
      // Without a cluster DNS the kubelet falls back to the host's resolver.
      if (dns.servers.length === 0) {
        conf = { nameservers: [...host.nameservers], searches: [...host.searches], options: [...host.options] };
        break;
      }
      const clusterSearches = [`${namespace}.svc.${dns.domain}`, `svc.${dns.domain}`, dns.domain];
      conf = { nameservers: [...dns.servers], searches: [...clusterSearches, ...host.searches], options: ["ndots:5"] };
    }
  }
  const extra = pod.spec?.dnsConfig;
  if (extra) conf = mergeDNSConfig(conf, extra);
  return {
    nameservers: unique(conf.nameservers).slice(0, maxNameservers),
    searches: unique(conf.searches).slice(0, maxSearches),
    options: conf.options,
  };
}

function mergeDNSConfig(conf: ResolvConf, extra: PodDNSConfig): ResolvConf {
  const options = new Map(conf.options.map((o) => [optionName(o), o]));
  for (const o of extra.options) options.set(o.name, o.value !== undefined ? `${o.name}:${o.value}` : o.name);
  return {
    nameservers: [...conf.nameservers, ...extra.nameservers],
    searches: [...conf.searches, ...extra.searches],
    options: [...options.values()],
  };
}

function optionName(option: string): string {
  const colon = option.indexOf(":");
  return colon === -1 ? option : option.slice(0, colon);
}

function unique(values: string[]): string[] {
  return [...new Set(values)];
}

/** The kubelet's managed /etc/hosts: localhost, then the pod's IP with its hostname (fully qualified with a subdomain). */
export function podHostsFile(pod: Pod, podIP: string, hostname: string, clusterDomain: string): string {
  const namespace = pod.metadata?.namespace || "default";
  const subdomain = pod.spec?.subdomain;
  const names = subdomain ? `${hostname}.${subdomain}.${namespace}.svc.${clusterDomain}\t${hostname}` : hostname;
  return [
    "# Capstan-managed hosts file.",
    "127.0.0.1\tlocalhost",
    "::1\tlocalhost ip6-localhost ip6-loopback",
    "fe00::0\tip6-localnet",
    "fe00::0\tip6-mcastprefix",
    "fe00::1\tip6-allnodes",
    "fe00::2\tip6-allrouters",
    `${podIP}\t${names}`,
    "",
  ].join("\n");
}
