import { describe, expect, it } from "vitest";
import { cidrWithin, clusterDNSIP, formatIPv4, LOOPBACK_CIDR, parseCIDR, parseIPv4 } from "./service-cidr.js";

describe("service CIDR", () => {
  it.each([
    { name: "the default range", cidr: "10.96.0.0/16", base: "10.96.0.0", count: 65536 },
    { name: "a host bit set is masked off", cidr: "10.96.7.9/24", base: "10.96.7.0", count: 256 },
    { name: "inside loopback", cidr: "127.200.0.0/16", base: "127.200.0.0", count: 65536 },
  ])("parses $name", ({ cidr, base, count }) => {
    const parsed = parseCIDR(cidr);
    expect(formatIPv4(parsed.base)).toBe(base);
    expect(parsed.count).toBe(count);
  });

  it.each([
    { name: "no prefix length", cidr: "10.96.0.0" },
    { name: "a prefix too long for a service", cidr: "10.96.0.0/31" },
    { name: "a prefix too short", cidr: "10.0.0.0/7" },
    { name: "IPv6", cidr: "fd00::/108" },
    { name: "an octet out of range", cidr: "10.256.0.0/16" },
  ])("refuses $name", ({ cidr }) => {
    expect(() => parseCIDR(cidr)).toThrow(`service CIDR ${JSON.stringify(cidr)}: must be an IPv4 CIDR between /8 and /30`);
  });

  it("parses and formats IPv4 addresses", () => {
    expect(parseIPv4("10.0.0.7")).toBe(10 * 2 ** 24 + 7);
    expect(parseIPv4("10.0.0")).toBeUndefined();
    expect(parseIPv4("10.0.0.07")).toBeUndefined();
    expect(formatIPv4(parseIPv4("192.168.1.254")!)).toBe("192.168.1.254");
  });

  it.each([
    { name: "loopback range", cidr: "127.96.0.0/16", inside: true },
    { name: "the default range", cidr: "10.96.0.0/16", inside: false },
    { name: "whole loopback block", cidr: "127.0.0.0/8", inside: true },
    { name: "block just below loopback", cidr: "126.0.0.0/8", inside: false },
  ])("tells whether the $name is inside 127.0.0.0/8", ({ cidr, inside }) => {
    expect(cidrWithin(parseCIDR(cidr), LOOPBACK_CIDR)).toBe(inside);
  });

  it.each([
    { name: "the default range", cidr: "10.96.0.0/16", want: "10.96.0.10" },
    { name: "a range given by a host address", cidr: "10.100.7.9/24", want: "10.100.7.10" },
    { name: "the smallest range that holds it", cidr: "192.168.0.0/28", want: "192.168.0.10" },
  ])("puts the cluster DNS address 10th in $name", ({ cidr, want }) => {
    expect(clusterDNSIP(cidr)).toBe(want);
  });

  it("refuses a range too small for the cluster DNS address", () => {
    expect(() => clusterDNSIP("192.168.0.0/29")).toThrow('service CIDR "192.168.0.0/29": too small to hold the cluster DNS address (the 10th)');
  });
});
