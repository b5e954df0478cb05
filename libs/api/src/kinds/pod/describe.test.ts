import { describe, expect, it } from "vitest";
import { describePod, probeText } from "./describe.js";

describe("probeText", () => {
  it.each([
    { name: "httpGet", probe: { httpGet: { path: "/healthz", port: 8080, scheme: "HTTP" } }, want: "http-get http://:8080/healthz delay=0s timeout=1s period=10s #success=1 #failure=3" },
    { name: "tcpSocket", probe: { tcpSocket: { port: "http" }, initialDelaySeconds: 5, periodSeconds: 2 }, want: "tcp-socket :http delay=5s timeout=1s period=2s #success=1 #failure=3" },
    { name: "exec", probe: { exec: { command: ["cat", "/ready"] }, failureThreshold: 30 }, want: "exec [cat /ready] delay=0s timeout=1s period=10s #success=1 #failure=30" },
  ])("$name", ({ probe, want }) => {
    expect(probeText(probe)).toBe(want);
  });
});

describe("describe pod", () => {
  it("lists init containers, with their state, before the containers", () => {
    const pod = {
      metadata: { name: "web", namespace: "default" },
      spec: { initContainers: [{ name: "setup", image: "busybox" }], containers: [{ name: "app", image: "nginx" }] },
      status: {
        phase: "Running",
        initContainerStatuses: [{ name: "setup", state: { terminated: { exitCode: 0, reason: "Completed" } } }],
        containerStatuses: [{ name: "app", ready: true, state: { running: { startedAt: "2026-01-01T00:00:00Z" } } }],
      },
    };
    const text = describePod(pod).join("\n");
    expect(text).toMatch(/Init Containers:\n {2}setup:\n {4}Image: +busybox\n {4}State: +Terminated\n {6}Reason: +Completed\n {6}Exit Code: +0/);
    expect(text.indexOf("Init Containers:")).toBeLessThan(text.indexOf("\nContainers:"));
  });
});

describe("describe pod resources", () => {
  it("shows each container's Limits, then Requests, after Restart Count and before the probes, as kubectl does", () => {
    const app = { name: "app", image: "nginx", resources: { limits: { cpu: "500m", memory: "128Mi" }, requests: { cpu: "100m" } }, readinessProbe: { tcpSocket: { port: 80 } } };
    const running = { name: "app", ready: true, restartCount: 2, state: { running: { startedAt: "2026-01-01T00:00:00Z" } } };
    const pod = { metadata: { name: "web", namespace: "default" }, spec: { containers: [app, { name: "side", image: "busybox" }] }, status: { phase: "Running", containerStatuses: [running] } };
    const text = describePod(pod).join("\n");
    expect(text).toMatch(/ {4}Restart Count: +2\n {4}Limits:\n {6}cpu: {5}500m\n {6}memory: {2}128Mi\n {4}Requests:\n {6}cpu: {2}100m\n {4}Readiness: +tcp-socket :80/);
    const side = text.slice(text.indexOf("  side:"));
    expect(side).not.toMatch(/Limits:|Requests:/);
  });
});

describe("describe pod environment", () => {
  it("says where each variable comes from, as kubectl does", () => {
    const pod = {
      metadata: { name: "web", namespace: "default" },
      spec: {
        containers: [
          {
            name: "app",
            image: "nginx",
            envFrom: [{ prefix: "CFG_", configMapRef: { name: "settings" } }, { secretRef: { name: "creds", optional: true } }],
            env: [
              { name: "PLAIN", value: "1" },
              { name: "LEVEL", valueFrom: { configMapKeyRef: { name: "settings", key: "level" } } },
              { name: "PASSWORD", valueFrom: { secretKeyRef: { name: "creds", key: "password", optional: true } } },
              { name: "ME", valueFrom: { fieldRef: { apiVersion: "v1", fieldPath: "metadata.name" } } },
              { name: "CPU", valueFrom: { resourceFieldRef: { resource: "limits.cpu" } } },
            ],
          },
        ],
      },
    };
    const text = describePod(pod).join("\n");
    expect(text).toContain(
      [
        "    Environment Variables from:",
        "      settings  ConfigMap with prefix 'CFG_'  Optional: false",
        "      creds  Secret  Optional: true",
        "    Environment:",
        "      PLAIN:      1",
        "      LEVEL:      <set to the key 'level' of config map 'settings'>  Optional: false",
        "      PASSWORD:   <set to the key 'password' in secret 'creds'>  Optional: true",
        "      ME:         web (v1:metadata.name)",
        "      CPU:        (limits.cpu)",
      ].join("\n"),
    );
  });
});

describe("describe pod volumes", () => {
  it("prints configMap, secret, downwardAPI and projected volumes as kubectl does", () => {
    const pod = {
      metadata: { name: "web", namespace: "default" },
      spec: {
        containers: [{ name: "app", image: "nginx" }],
        volumes: [
          { name: "config", configMap: { name: "settings" } },
          { name: "creds", secret: { secretName: "creds", optional: true } },
          { name: "podinfo", downwardAPI: { items: [{ path: "labels", fieldRef: { fieldPath: "metadata.labels" } }, { path: "cpu", resourceFieldRef: { resource: "limits.cpu" } }] } },
          { name: "all", projected: { sources: [{ configMap: { name: "settings" } }, { secret: { name: "creds", optional: false } }, { downwardAPI: { items: [] } }] } },
        ],
      },
    };
    expect(describePod(pod).join("\n")).toContain(
      [
        "  config:",
        "    Type:         ConfigMap (a volume populated by a ConfigMap)",
        "    Name:         settings",
        "    Optional:     false",
        "  creds:",
        "    Type:         Secret (a volume populated by a Secret)",
        "    SecretName:   creds",
        "    Optional:     true",
        "  podinfo:",
        "    Type:         DownwardAPI (a volume populated by information about the pod)",
        "    Items:",
        "      metadata.labels -> labels",
        "      limits.cpu -> cpu",
        "  all:",
        "    Type:         Projected (a volume that contains injected data from multiple sources)",
        "    ConfigMapName: settings",
        "    ConfigMapOptional: <nil>",
        "    SecretName:   creds",
        "    SecretOptionalName: false",
        "    DownwardAPI:  true",
      ].join("\n"),
    );
  });
});
