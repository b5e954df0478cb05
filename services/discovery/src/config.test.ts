import { describe, expect, it } from "vitest";
import { loadConfig } from "./config.js";

describe("loadConfig", () => {
  it("defaults to DNS on 127.0.0.1:10053 and the 10th address of the default service CIDR", () => {
    expect(loadConfig({})).toMatchObject({ dnsHost: "127.0.0.1", dnsPort: 10053, dnsAdvertiseAddress: "127.0.0.1", clusterDNSIP: "10.96.0.10", clusterDomain: "cluster.local" });
  });

  it.each([
    { name: "a free port", env: { CAPSTAN_DNS_LISTEN: "127.0.0.1:0" }, want: { dnsPort: 0 } },
    { name: "the DNS address from the service CIDR", env: { CAPSTAN_SERVICE_CIDR: "10.100.0.0/24" }, want: { clusterDNSIP: "10.100.0.10" } },
    { name: "an explicit DNS address", env: { CAPSTAN_SERVICE_CIDR: "10.100.0.0/24", CAPSTAN_CLUSTER_DNS_IP: "10.100.0.53" }, want: { clusterDNSIP: "10.100.0.53" } },
    { name: "another cluster domain", env: { CAPSTAN_CLUSTER_DOMAIN: "corp.example" }, want: { clusterDomain: "corp.example" } },
  ])("takes $name", ({ env, want }) => {
    expect(loadConfig(env)).toMatchObject(want);
  });

  it("advertises a machine address, not the wildcard, when listening on all addresses", () => {
    expect(loadConfig({ CAPSTAN_DNS_LISTEN: "0.0.0.0:53" }).dnsAdvertiseAddress).not.toBe("0.0.0.0");
  });

  it.each([
    { name: "a listen address without a port", env: { CAPSTAN_DNS_LISTEN: "127.0.0.1" }, error: 'CAPSTAN_DNS_LISTEN: Invalid value "127.0.0.1": must be IPv4-address:port, port 0 for a free one' },
    { name: "a port out of range", env: { CAPSTAN_DNS_LISTEN: "127.0.0.1:70000" }, error: 'CAPSTAN_DNS_LISTEN: Invalid value "127.0.0.1:70000"' },
    { name: "a DNS address that is no IPv4 address", env: { CAPSTAN_CLUSTER_DNS_IP: "dns" }, error: 'CAPSTAN_CLUSTER_DNS_IP: Invalid value "dns": must be an IPv4 address' },
    { name: "a malformed service CIDR", env: { CAPSTAN_SERVICE_CIDR: "10.96.0.0" }, error: 'service CIDR "10.96.0.0": must be an IPv4 CIDR between /8 and /30' },
    { name: "a lease that is not positive", env: { CAPSTAN_LEASE_SECONDS: "0" }, error: 'CAPSTAN_LEASE_SECONDS: Invalid value "0": must be a positive number of seconds' },
  ])("refuses $name", ({ env, error }) => {
    expect(() => loadConfig(env)).toThrow(error);
  });
});
