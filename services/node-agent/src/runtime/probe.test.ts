import { describe, expect, it } from "vitest";
import { containerProbes, resolveProbePort } from "./probe.js";
import { aContainer, anExecProbe, anHTTPGetProbe, aTCPSocketProbe } from "./testing.js";

describe("containerProbes", () => {
  it("reads each probe with its handler and timing, and the API's defaults for unset (zero) fields", () => {
    const c = aContainer("web", "nginx", {
      livenessProbe: {
        ...anHTTPGetProbe("/healthz", "http", { initialDelaySeconds: 3, terminationGracePeriodSeconds: 5 }),
        periodSeconds: 0,
        timeoutSeconds: 0,
        successThreshold: 0,
        failureThreshold: 0,
      },
      readinessProbe: aTCPSocketProbe(8080, { successThreshold: 2, periodSeconds: 2 }),
      startupProbe: anExecProbe(["cat", "/tmp/started"], { failureThreshold: 30 }),
    });
    c.livenessProbe!.httpGet!.httpHeaders = [{ name: "X-Probe", value: "1" }];
    c.livenessProbe!.httpGet!.scheme = "https";
    expect(containerProbes(c)).toEqual({
      liveness: {
        handler: { kind: "httpGet", path: "/healthz", port: "http", host: "", scheme: "HTTPS", httpHeaders: [{ name: "X-Probe", value: "1" }] },
        initialDelaySeconds: 3,
        periodSeconds: 10,
        timeoutSeconds: 1,
        successThreshold: 1,
        failureThreshold: 3,
        terminationGracePeriodSeconds: 5,
      },
      readiness: {
        handler: { kind: "tcpSocket", port: 8080, host: "" },
        initialDelaySeconds: 0,
        periodSeconds: 2,
        timeoutSeconds: 1,
        successThreshold: 2,
        failureThreshold: 3,
      },
      startup: {
        handler: { kind: "exec", command: ["cat", "/tmp/started"] },
        initialDelaySeconds: 0,
        periodSeconds: 10,
        timeoutSeconds: 1,
        successThreshold: 1,
        failureThreshold: 30,
      },
    });
  });

  it.each([
    { name: "no probes", fields: {}, want: {} },
    { name: "a probe without a handler is ignored", fields: { livenessProbe: { ...anExecProbe([]), exec: undefined } }, want: {} },
    {
      name: "successThreshold stays 1 for liveness",
      fields: { livenessProbe: anExecProbe(["true"], { successThreshold: 3 }) },
      want: { liveness: expect.objectContaining({ successThreshold: 1 }) },
    },
    {
      name: "readiness probes never carry a termination grace period",
      fields: { readinessProbe: anExecProbe(["true"], { terminationGracePeriodSeconds: 5 }) },
      want: { readiness: expect.not.objectContaining({ terminationGracePeriodSeconds: 5 }) },
    },
  ])("$name", ({ fields, want }) => {
    expect(containerProbes(aContainer("c", "busybox", fields))).toEqual(want);
  });
});

describe("resolveProbePort", () => {
  const port = (name: string, containerPort: number) => ({ name, containerPort, hostPort: 0, protocol: "TCP", hostIp: "" });
  const container = { ports: [port("http", 8080), port("", 9090)] };
  it.each([
    { name: "a number", port: 80, want: { port: 80 } },
    { name: "a named port", port: "http", want: { port: 8080 } },
    { name: "a numeric string", port: "9090", want: { port: 9090 } },
    { name: "an unknown name", port: "metrics", want: { error: "couldn't find port: metrics in container" } },
    { name: "an empty name does not match an unnamed port", port: "", want: { error: "couldn't find port:  in container" } },
    { name: "out of range", port: 70000, want: { error: "invalid port number: 70000" } },
    { name: "zero", port: 0, want: { error: "invalid port number: 0" } },
  ])("$name", ({ port, want }) => {
    expect(resolveProbePort(port, container)).toEqual(want);
  });
});
