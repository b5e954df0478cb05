import { describe, expect, it } from "vitest";
import { applyDefaults, defaultPullPolicy } from "./defaults.js";
import { aPod } from "./testing/index.js";

describe("applyDefaults: Pod", () => {
  const minimal = {
    apiVersion: "v1",
    kind: "Pod",
    metadata: { name: "web" },
    spec: { containers: [{ name: "app", image: "nginx:1.27", ports: [{ containerPort: 80 }] }] },
  };

  it("fills what Kubernetes fills", () => {
    expect(applyDefaults("Pod", minimal)).toEqual({
      apiVersion: "v1",
      kind: "Pod",
      metadata: { name: "web" },
      spec: {
        containers: [
          {
            name: "app",
            image: "nginx:1.27",
            ports: [{ containerPort: 80, protocol: "TCP" }],
            imagePullPolicy: "IfNotPresent",
            terminationMessagePath: "/dev/termination-log",
            terminationMessagePolicy: "File",
          },
        ],
        restartPolicy: "Always",
        terminationGracePeriodSeconds: 30,
        schedulerName: "default-scheduler",
        dnsPolicy: "ClusterFirst",
        tolerations: [
          { key: "node.kubernetes.io/not-ready", operator: "Exists", effect: "NoExecute", tolerationSeconds: 300 },
          { key: "node.kubernetes.io/unreachable", operator: "Exists", effect: "NoExecute", tolerationSeconds: 300 },
        ],
      },
      status: { phase: "Pending", qosClass: "BestEffort" },
    });
  });

  const tolerationsOf = (pod: Record<string, unknown>) => (pod["spec"] as { tolerations: unknown[] }).tolerations;
  const notReady = (seconds: number) => ({ key: "node.kubernetes.io/not-ready", operator: "Exists", effect: "NoExecute", tolerationSeconds: seconds });
  const unreachable = (seconds: number) => ({ key: "node.kubernetes.io/unreachable", operator: "Exists", effect: "NoExecute", tolerationSeconds: seconds });

  it.each([
    { name: "none", tolerations: [], want: [notReady(300), unreachable(300)] },
    { name: "its own not-ready toleration", tolerations: [notReady(10)], want: [notReady(10), unreachable(300)] },
    {
      name: "an unreachable toleration of any effect",
      tolerations: [{ key: "node.kubernetes.io/unreachable", operator: "Exists" }],
      want: [{ key: "node.kubernetes.io/unreachable", operator: "Exists" }, notReady(300)],
    },
    { name: "a toleration of everything", tolerations: [{ operator: "Exists" }], want: [{ operator: "Exists" }] },
    {
      name: "a NoSchedule toleration only",
      tolerations: [{ key: "node.kubernetes.io/not-ready", operator: "Exists", effect: "NoSchedule" }],
      want: [{ key: "node.kubernetes.io/not-ready", operator: "Exists", effect: "NoSchedule" }, notReady(300), unreachable(300)],
    },
  ])("tolerates not-ready and unreachable nodes for 300s, given $name", ({ tolerations, want }) => {
    expect(tolerationsOf(applyDefaults("Pod", { ...minimal, spec: { ...minimal.spec, tolerations } }))).toEqual(want);
  });

  it("takes the default toleration seconds from the options", () => {
    expect(tolerationsOf(applyDefaults("Pod", minimal, { defaultTolerationSeconds: 3 }))).toEqual([notReady(3), unreachable(3)]);
  });

  it("gives a workload's pod template no default tolerations, as Kubernetes' admission does not", () => {
    const rs = { kind: "ReplicaSet", metadata: { name: "r" }, spec: { template: { spec: minimal.spec } } };
    expect(applyDefaults("ReplicaSet", rs)).not.toHaveProperty("spec.template.spec.tolerations");
  });

  it("is pure", () => {
    const before = structuredClone(minimal);
    applyDefaults("Pod", minimal);
    expect(minimal).toEqual(before);
  });

  it.each([
    { name: "restartPolicy", spec: { restartPolicy: "Never" }, path: ["restartPolicy"], want: "Never" },
    { name: "a zero grace period", spec: { terminationGracePeriodSeconds: 0 }, path: ["terminationGracePeriodSeconds"], want: 0 },
    { name: "dnsPolicy", spec: { dnsPolicy: "Default" }, path: ["dnsPolicy"], want: "Default" },
    { name: "schedulerName", spec: { schedulerName: "mine" }, path: ["schedulerName"], want: "mine" },
  ])("keeps a user's $name", ({ spec, path, want }) => {
    const out = applyDefaults("Pod", { ...minimal, spec: { ...minimal.spec, ...spec } }) as { spec: Record<string, unknown> };
    expect(out.spec[path[0]!]).toBe(want);
  });

  it("keeps a user's container settings and status", () => {
    const out = applyDefaults("Pod", {
      ...minimal,
      spec: {
        containers: [
          {
            name: "app",
            image: "nginx",
            imagePullPolicy: "Never",
            terminationMessagePolicy: "FallbackToLogsOnError",
            ports: [{ containerPort: 53, protocol: "UDP" }],
          },
        ],
      },
      status: { phase: "Running", qosClass: "Burstable" },
    });
    expect(out).toMatchObject({
      spec: { containers: [{ imagePullPolicy: "Never", terminationMessagePolicy: "FallbackToLogsOnError", ports: [{ protocol: "UDP" }] }] },
      status: { phase: "Running", qosClass: "Burstable" },
    });
  });

  it("gives a volume without a source an emptyDir", () => {
    const out = applyDefaults("Pod", { ...minimal, spec: { ...minimal.spec, volumes: [{ name: "scratch" }] } });
    expect(out).toMatchObject({ spec: { volumes: [{ name: "scratch", emptyDir: {} }] } });
  });

  it("requests a limit when no request is given", () => {
    const out = applyDefaults("Pod", aPod().withContainer("a").limitedTo({ cpu: "1", memory: "1Gi" }).requesting({ memory: "512Mi" }).json());
    expect(out).toMatchObject({
      spec: { containers: [{ resources: { requests: { cpu: "1", memory: "512Mi" }, limits: { cpu: "1", memory: "1Gi" } } }] },
      status: { qosClass: "Burstable" },
    });
  });

  it.each([
    { name: "no resources", pod: aPod().withContainer("a"), want: "BestEffort" },
    { name: "limits only, both resources", pod: aPod().withContainer("a").limitedTo({ cpu: "1", memory: "1Gi" }), want: "Guaranteed" },
    { name: "requests equal limits", pod: aPod().withContainer("a").requesting({ cpu: "1", memory: "1Gi" }).limitedTo({ cpu: "1000m", memory: "1Gi" }), want: "Guaranteed" },
    { name: "requests only", pod: aPod().withContainer("a").requesting({ cpu: "100m" }), want: "Burstable" },
    { name: "one container unlimited", pod: aPod().withContainer("a").limitedTo({ cpu: "1", memory: "1Gi" }).withContainer("b"), want: "Burstable" },
    { name: "only non-compute resources", pod: aPod().withContainer("a").requesting({ "ephemeral-storage": "1Gi" }), want: "BestEffort" },
    { name: "zero requests", pod: aPod().withContainer("a").requesting({ cpu: "0" }), want: "BestEffort" },
  ])("qosClass: $name → $want", ({ pod, want }) => {
    expect(applyDefaults("Pod", pod.json())).toMatchObject({ status: { qosClass: want } });
  });
});

describe("defaultPullPolicy", () => {
  it.each([
    { name: "no tag", image: "nginx", want: "Always" },
    { name: "latest", image: "nginx:latest", want: "Always" },
    { name: "a version", image: "nginx:1.27", want: "IfNotPresent" },
    { name: "a registry port, no tag", image: "localhost:5000/app", want: "Always" },
    { name: "a registry port and a tag", image: "localhost:5000/app:v2", want: "IfNotPresent" },
    { name: "a digest", image: "nginx@sha256:abc", want: "IfNotPresent" },
    { name: "latest with a digest", image: "nginx:latest@sha256:abc", want: "Always" },
  ])("$name: $image", ({ image, want }) => {
    expect(defaultPullPolicy(image)).toBe(want);
  });
});

describe("applyDefaults: other kinds", () => {
  it.each([
    { name: "Namespace phase", kind: "Namespace", input: { kind: "Namespace", metadata: { name: "a" } }, want: { kind: "Namespace", metadata: { name: "a" }, status: { phase: "Active" } } },
    {
      name: "Namespace phase kept",
      kind: "Namespace",
      input: { kind: "Namespace", metadata: { name: "a" }, status: { phase: "Terminating" } },
      want: { kind: "Namespace", metadata: { name: "a" }, status: { phase: "Terminating" } },
    },
    {
      name: "Node allocatable from capacity",
      kind: "Node",
      input: { kind: "Node", metadata: { name: "n" }, status: { capacity: { cpu: "4" } } },
      want: { kind: "Node", metadata: { name: "n" }, status: { capacity: { cpu: "4" }, allocatable: { cpu: "4" } } },
    },
    { name: "Event unchanged", kind: "Event", input: { kind: "Event", metadata: { name: "e" }, reason: "Started" }, want: { kind: "Event", metadata: { name: "e" }, reason: "Started" } },
  ])("$name", ({ kind, input, want }) => {
    expect(applyDefaults(kind, input)).toEqual(want);
  });

  it("rejects an unsupported kind", () => {
    expect(() => applyDefaults("Widget", {})).toThrow(/supported kinds are/);
  });
});

describe("applyDefaults: probes", () => {
  it("fills timeouts, period, thresholds, and an httpGet's path and scheme", () => {
    const out = applyDefaults("Pod", {
      kind: "Pod",
      metadata: { name: "p" },
      spec: {
        containers: [
          {
            name: "a",
            image: "i:1",
            livenessProbe: { httpGet: { port: 8080 } },
            readinessProbe: { tcpSocket: { port: "http" }, periodSeconds: 2, successThreshold: 2 },
            startupProbe: { exec: { command: ["true"] }, failureThreshold: 30 },
          },
        ],
      },
    });
    expect(out).toMatchObject({
      spec: {
        containers: [
          {
            livenessProbe: { httpGet: { path: "/", port: 8080, scheme: "HTTP" }, timeoutSeconds: 1, periodSeconds: 10, successThreshold: 1, failureThreshold: 3 },
            readinessProbe: { tcpSocket: { port: "http" }, timeoutSeconds: 1, periodSeconds: 2, successThreshold: 2, failureThreshold: 3 },
            startupProbe: { exec: { command: ["true"] }, timeoutSeconds: 1, periodSeconds: 10, successThreshold: 1, failureThreshold: 30 },
          },
        ],
      },
    });
  });
});

describe("applyDefaults: workloads", () => {
  const template = { metadata: { labels: { app: "web" } }, spec: { containers: [{ name: "app", image: "nginx:1.27" }] } };
  const defaultedTemplate = {
    metadata: { labels: { app: "web" } },
    spec: {
      containers: [{ name: "app", image: "nginx:1.27", imagePullPolicy: "IfNotPresent", terminationMessagePath: "/dev/termination-log", terminationMessagePolicy: "File" }],
      restartPolicy: "Always",
      terminationGracePeriodSeconds: 30,
      schedulerName: "default-scheduler",
      dnsPolicy: "ClusterFirst",
    },
  };
  const deployment = (spec: Record<string, unknown>) => ({
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name: "web" },
    spec: { selector: { matchLabels: { app: "web" } }, template, ...spec },
  });

  it("fills a Deployment as Kubernetes does", () => {
    expect(applyDefaults("Deployment", deployment({}))).toEqual({
      apiVersion: "apps/v1",
      kind: "Deployment",
      metadata: { name: "web" },
      spec: {
        replicas: 1,
        selector: { matchLabels: { app: "web" } },
        template: defaultedTemplate,
        strategy: { type: "RollingUpdate", rollingUpdate: { maxUnavailable: "25%", maxSurge: "25%" } },
        revisionHistoryLimit: 10,
        progressDeadlineSeconds: 600,
      },
    });
  });

  it.each([
    { name: "zero replicas", spec: { replicas: 0 }, want: { replicas: 0 } },
    { name: "a zero history limit", spec: { revisionHistoryLimit: 0 }, want: { revisionHistoryLimit: 0 } },
    { name: "a Recreate strategy, without rollingUpdate", spec: { strategy: { type: "Recreate" } }, want: { strategy: { type: "Recreate" } } },
    {
      name: "maxSurge alone, maxUnavailable defaulted",
      spec: { strategy: { rollingUpdate: { maxSurge: 1 } } },
      want: { strategy: { type: "RollingUpdate", rollingUpdate: { maxSurge: 1, maxUnavailable: "25%" } } },
    },
    { name: "a zero maxUnavailable", spec: { strategy: { type: "RollingUpdate", rollingUpdate: { maxUnavailable: 0 } } }, want: { strategy: { rollingUpdate: { maxUnavailable: 0, maxSurge: "25%" } } } },
    { name: "paused and a deadline", spec: { paused: true, progressDeadlineSeconds: 60 }, want: { paused: true, progressDeadlineSeconds: 60 } },
  ])("keeps a Deployment's $name", ({ spec, want }) => {
    const out = applyDefaults("Deployment", deployment(spec)) as { spec: Record<string, unknown> };
    expect(out.spec).toMatchObject(want);
    if ((spec.strategy as { type?: string } | undefined)?.type === "Recreate") expect(out.spec["strategy"]).toEqual({ type: "Recreate" });
  });

  it("fills a ReplicaSet: one replica and the template's pod defaults", () => {
    const rs = { apiVersion: "apps/v1", kind: "ReplicaSet", metadata: { name: "web" }, spec: { selector: { matchLabels: { app: "web" } }, template } };
    expect(applyDefaults("ReplicaSet", rs)).toEqual({ ...rs, spec: { replicas: 1, selector: { matchLabels: { app: "web" } }, template: defaultedTemplate } });
  });

  it.each([
    {
      name: "selector and labels from the template",
      input: { template },
      metadata: { name: "web", labels: { app: "web" } },
      want: { replicas: 1, selector: { app: "web" }, template: defaultedTemplate },
    },
    {
      name: "its own selector and labels kept",
      input: { replicas: 0, selector: { app: "web" }, template },
      labels: { team: "a" },
      metadata: { name: "web", labels: { team: "a" } },
      want: { replicas: 0, selector: { app: "web" }, template: defaultedTemplate },
    },
  ])("fills a ReplicationController: $name", ({ input, labels, metadata, want }) => {
    const rc = { apiVersion: "v1", kind: "ReplicationController", metadata: { name: "web", ...(labels ? { labels } : {}) }, spec: input };
    expect(applyDefaults("ReplicationController", rc)).toEqual({ apiVersion: "v1", kind: "ReplicationController", metadata, spec: want });
  });

  it("is pure", () => {
    const input = deployment({ strategy: { rollingUpdate: { maxSurge: 1 } } });
    const before = structuredClone(input);
    applyDefaults("Deployment", input);
    expect(input).toEqual(before);
  });
});
