import { describe, expect, it } from "vitest";
import { endpointsOf, usableEndpoints, type ProxyEndpoint } from "./endpoints.js";

type Json = Record<string, unknown>;

function aSlice(ports: Json[], endpoints: Json[], addressType = "IPv4"): Json {
  return { apiVersion: "discovery.k8s.io/v1", kind: "EndpointSlice", metadata: { namespace: "shop", name: "web-abc" }, addressType, ports, endpoints };
}

const ep = (ip: string, conditions: Json = { ready: true }) => ({ addresses: [ip], conditions });

describe("endpointsOf", () => {
  it("takes the port of the matching name and protocol, across slices, each address once", () => {
    const slices = [
      aSlice([{ name: "http", protocol: "TCP", port: 8080 }, { name: "metrics", protocol: "TCP", port: 9090 }], [ep("127.37.0.2"), ep("127.37.0.3")]),
      aSlice([{ name: "http", protocol: "TCP", port: 8080 }], [ep("127.38.0.2"), ep("127.37.0.2")]),
      aSlice([{ name: "http", protocol: "UDP", port: 8080 }], [ep("127.39.0.2")]),
    ];
    expect(endpointsOf(slices, "http", "TCP").map((e) => e.address)).toEqual(["127.37.0.2:8080", "127.37.0.3:8080", "127.38.0.2:8080"]);
  });

  it("matches an unnamed service port to an unnamed slice port, and skips non-IPv4 slices", () => {
    const slices = [aSlice([{ port: 8080 }], [ep("127.37.0.2")]), aSlice([{ port: 8080 }], [ep("fd00::2")], "IPv6")];
    expect(endpointsOf(slices, "", "TCP").map((e) => e.address)).toEqual(["127.37.0.2:8080"]);
  });

  it.each([
    { name: "unset conditions count as ready and serving", conditions: {}, want: { ready: true, serving: true, terminating: false } },
    { name: "not ready", conditions: { ready: false, serving: false }, want: { ready: false, serving: false, terminating: false } },
    { name: "terminating but serving", conditions: { ready: false, serving: true, terminating: true }, want: { ready: false, serving: true, terminating: true } },
  ])("$name", ({ conditions, want }) => {
    const [got] = endpointsOf([aSlice([{ port: 80 }], [ep("127.37.0.2", conditions)])], "", "TCP");
    expect(got).toEqual({ address: "127.37.0.2:80", ...want });
  });

  it("prefers the ready view of an address listed twice", () => {
    const slices = [aSlice([{ port: 80 }], [ep("127.37.0.2", { ready: false })]), aSlice([{ port: 80 }], [ep("127.37.0.2", { ready: true })])];
    expect(endpointsOf(slices, "", "TCP")[0]?.ready).toBe(true);
  });
});

describe("usableEndpoints", () => {
  const e = (address: string, ready: boolean, serving: boolean, terminating: boolean): ProxyEndpoint => ({ address, ready, serving, terminating });
  it.each([
    { name: "ready ones only", endpoints: [e("a", true, true, false), e("b", false, false, false), e("c", false, true, true)], want: ["a"] },
    { name: "serving terminating ones when none is ready", endpoints: [e("b", false, false, false), e("c", false, true, true), e("d", false, false, true)], want: ["c"] },
    { name: "nothing when none serves", endpoints: [e("b", false, false, false), e("d", false, false, true)], want: [] },
    { name: "nothing without endpoints", endpoints: [], want: [] },
  ])("$name", ({ endpoints, want }) => {
    expect(usableEndpoints(endpoints)).toEqual(want);
  });
});
