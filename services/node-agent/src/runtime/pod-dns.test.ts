import type { Pod, PodSpec } from "@capstan/api";
import { describe, expect, it } from "vitest";
import { formatResolvConf, type ResolvConf } from "@capstan/apimachinery";
import { podHostsFile, podResolvConf } from "./pod-dns.js";
import { aPod } from "./testing.js";

function podIn(namespace: string, spec: Partial<PodSpec> = {}): Pod {
  const pod = aPod("web-0").build();
  pod.metadata!.namespace = namespace;
  Object.assign(pod.spec!, spec);
  return pod;
}

const dns = { servers: ["10.96.0.10"], domain: "cluster.local" };
const host: ResolvConf = { nameservers: ["10.255.255.53", "1.1.1.1"], searches: ["corp.example"], options: ["timeout:2"] };

describe("podResolvConf", () => {
  it.each<{ name: string; pod: Pod; want: ResolvConf }>([
    {
      name: "ClusterFirst asks the cluster DNS, the namespace first, then the host's domains",
      pod: podIn("prod", { dnsPolicy: "ClusterFirst" }),
      want: { nameservers: ["10.96.0.10"], searches: ["prod.svc.cluster.local", "svc.cluster.local", "cluster.local", "corp.example"], options: ["ndots:5"] },
    },
    {
      name: "no dnsPolicy is ClusterFirst",
      pod: podIn("default", { dnsPolicy: "" }),
      want: { nameservers: ["10.96.0.10"], searches: ["default.svc.cluster.local", "svc.cluster.local", "cluster.local", "corp.example"], options: ["ndots:5"] },
    },
    {
      name: "ClusterFirstWithHostNet is ClusterFirst",
      pod: podIn("a", { dnsPolicy: "ClusterFirstWithHostNet" }),
      want: { nameservers: ["10.96.0.10"], searches: ["a.svc.cluster.local", "svc.cluster.local", "cluster.local", "corp.example"], options: ["ndots:5"] },
    },
    { name: "Default is the host's", pod: podIn("prod", { dnsPolicy: "Default" }), want: host },
    {
      name: "None is dnsConfig alone",
      pod: podIn("prod", { dnsPolicy: "None", dnsConfig: { nameservers: ["9.9.9.9"], searches: ["my.dns.search.suffix"], options: [{ name: "ndots", value: "2" }, { name: "edns0" }] } }),
      want: { nameservers: ["9.9.9.9"], searches: ["my.dns.search.suffix"], options: ["ndots:2", "edns0"] },
    },
    {
      name: "dnsConfig adds to ClusterFirst, without duplicates, and overrides an option by name",
      pod: podIn("prod", { dnsConfig: { nameservers: ["10.96.0.10", "9.9.9.9"], searches: ["svc.cluster.local", "extra.example"], options: [{ name: "ndots", value: "1" }] } }),
      want: {
        nameservers: ["10.96.0.10", "9.9.9.9"],
        searches: ["prod.svc.cluster.local", "svc.cluster.local", "cluster.local", "corp.example", "extra.example"],
        options: ["ndots:1"],
      },
    },
    {
      name: "at most three nameservers",
      pod: podIn("prod", { dnsPolicy: "Default", dnsConfig: { nameservers: ["8.8.8.8", "8.8.4.4"], searches: [], options: [] } }),
      want: { nameservers: ["10.255.255.53", "1.1.1.1", "8.8.8.8"], searches: ["corp.example"], options: ["timeout:2"] },
    },
  ])("$name", ({ pod, want }) => {
    expect(podResolvConf(pod, dns, host)).toEqual(want);
  });

  it("falls back to the host's resolver on a node without a cluster DNS", () => {
    expect(podResolvConf(podIn("prod"), { servers: [], domain: "cluster.local" }, host)).toEqual(host);
  });

  it("formats as container runtimes write it", () => {
    expect(formatResolvConf(podResolvConf(podIn("prod"), dns, { nameservers: [], searches: [], options: [] }))).toBe(
      "search prod.svc.cluster.local svc.cluster.local cluster.local\nnameserver 10.96.0.10\noptions ndots:5\n",
    );
  });
});

describe("podHostsFile", () => {
  it.each([
    { name: "the pod's hostname", spec: {}, line: "127.1.0.7\tweb-0" },
    { name: "fully qualified with a subdomain", spec: { subdomain: "nginx" }, line: "127.1.0.7\tweb-0.nginx.prod.svc.cluster.local\tweb-0" },
  ])("maps the pod IP to $name after localhost", ({ spec, line }) => {
    const lines = podHostsFile(podIn("prod", spec), "127.1.0.7", "web-0", "cluster.local").split("\n");
    expect(lines).toContain("127.0.0.1\tlocalhost");
    expect(lines.at(-2)).toBe(line);
  });
});
