import type { FieldError } from "@capstan/apimachinery";
import { describe, expect, it } from "vitest";
import { applyDefaults } from "./defaults.js";
import { decodeManifest } from "./manifest.js";
import { kubernetesExamples } from "./testing/kubernetes-examples.js";
import { validateObject, validateStatus } from "./validation.js";

type Json = Record<string, any>;

function aValidPod(): Json {
  return {
    apiVersion: "v1",
    kind: "Pod",
    metadata: { name: "web", namespace: "default", labels: { app: "web" } },
    spec: {
      volumes: [{ name: "data", emptyDir: {} }],
      containers: [
        {
          name: "app",
          image: "nginx:1.27",
          ports: [{ name: "http", containerPort: 80 }],
          resources: { requests: { cpu: "100m", memory: "64Mi" }, limits: { cpu: "1", memory: "128Mi" } },
          volumeMounts: [{ name: "data", mountPath: "/data" }],
          env: [{ name: "MODE", value: "prod" }],
        },
      ],
    },
  };
}

/** A valid pod changed by `change`, so each row states only what it breaks. */
function podWith(change: (pod: Json) => void): Json {
  const pod = aValidPod();
  change(pod);
  return pod;
}

const labelRule =
  "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')";
const subdomainRule =
  "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";

describe("validateObject accepts", () => {
  it.each(kubernetesExamples)("the example $name, raw and defaulted", ({ manifest }) => {
    const { kind, json } = decodeManifest(manifest);
    expect(validateObject(kind, json)).toEqual([]);
    expect(validateObject(kind, applyDefaults(kind, json))).toEqual([]);
  });

  it.each([
    { name: "the base pod", pod: aValidPod() },
    { name: "a generated name", pod: podWith((p) => (p["metadata"] = { generateName: "web-" })) },
    { name: "a dotted pod name, as Kubernetes allows", pod: podWith((p) => (p["metadata"]["name"] = "web.v1")) },
    { name: "a toleration of everything", pod: podWith((p) => (p["spec"]["tolerations"] = [{ operator: "Exists" }])) },
    {
      name: "a NoExecute toleration with seconds",
      pod: podWith((p) => (p["spec"]["tolerations"] = [{ key: "node.kubernetes.io/unreachable", operator: "Exists", effect: "NoExecute", tolerationSeconds: 300 }])),
    },
    { name: "an extended resource", pod: podWith((p) => (p["spec"]["containers"][0]["resources"]["limits"]["example.com/gpu"] = "1")) },
    { name: "a hostPath volume", pod: podWith((p) => p["spec"]["volumes"].push({ name: "host", hostPath: { path: "/var/log", type: "Directory" } })) },
    { name: "a volume without a source, defaulted to emptyDir", pod: podWith((p) => p["spec"]["volumes"].push({ name: "scratch" })) },
    {
      name: "an init container mounting a volume",
      pod: podWith((p) => (p["spec"]["initContainers"] = [{ name: "setup", image: "busybox", volumeMounts: [{ name: "data", mountPath: "/data" }] }])),
    },
  ])("$name", ({ pod }) => {
    expect(validateObject("Pod", pod)).toEqual([]);
  });
});

describe("validateObject rejects a Pod with", () => {
  it.each<{ name: string; pod: Json; errors: FieldError[] }>([
    {
      name: "no name",
      pod: podWith((p) => delete p["metadata"]["name"]),
      errors: [{ path: "metadata.name", message: "Required value: name or generateName is required" }],
    },
    {
      name: "an upper-case name",
      pod: podWith((p) => (p["metadata"]["name"] = "Web")),
      errors: [{ path: "metadata.name", message: `Invalid value "Web": ${subdomainRule}` }],
    },
    {
      name: "an invalid generateName",
      pod: podWith((p) => (p["metadata"] = { generateName: "Web-" })),
      errors: [{ path: "metadata.generateName", message: `Invalid value "Web-": ${subdomainRule}` }],
    },
    {
      name: "a dotted namespace",
      pod: podWith((p) => (p["metadata"]["namespace"] = "a.b")),
      errors: [{ path: "metadata.namespace", message: 'Invalid value "a.b": must not contain dots' }],
    },
    {
      name: "a bad label",
      pod: podWith((p) => (p["metadata"]["labels"] = { app: "-web" })),
      errors: [{ path: "metadata.labels", message: expect.stringMatching(/^Invalid value "-web": a valid label must be/) }],
    },
    {
      name: "annotations over 256 KiB",
      pod: podWith((p) => (p["metadata"]["annotations"] = { note: "x".repeat(256 * 1024) })),
      errors: [{ path: "metadata.annotations", message: "Too long: may not be more than 262144 bytes" }],
    },
    {
      name: "two controller owners",
      pod: podWith(
        (p) =>
          (p["metadata"]["ownerReferences"] = [
            { apiVersion: "apps/v1", kind: "ReplicaSet", name: "a", uid: "1", controller: true },
            { apiVersion: "apps/v1", kind: "ReplicaSet", name: "b", uid: "2", controller: true },
          ]),
      ),
      errors: [{ path: "metadata.ownerReferences", message: 'Invalid value "ReplicaSet/a, ReplicaSet/b": Only one reference can have Controller set to true' }],
    },
    {
      name: "an owner reference without uid",
      pod: podWith((p) => (p["metadata"]["ownerReferences"] = [{ apiVersion: "apps/v1", kind: "ReplicaSet", name: "a" }])),
      errors: [{ path: "metadata.ownerReferences[0].uid", message: "Required value: uid must not be empty" }],
    },
    { name: "no containers", pod: podWith((p) => (p["spec"]["containers"] = [])), errors: [{ path: "spec.containers", message: "Required value" }] },
    {
      name: "duplicate container names",
      pod: podWith((p) => p["spec"]["containers"].push({ name: "app", image: "busybox" })),
      errors: [{ path: "spec.containers[1].name", message: 'Duplicate value: "app"' }],
    },
    {
      name: "a container name that is not a label",
      pod: podWith((p) => (p["spec"]["containers"][0]["name"] = "App_1")),
      errors: [{ path: "spec.containers[0].name", message: `Invalid value "App_1": ${labelRule}` }],
    },
    { name: "no image", pod: podWith((p) => delete p["spec"]["containers"][0]["image"]), errors: [{ path: "spec.containers[0].image", message: "Required value" }] },
    {
      name: "an image with a trailing space",
      pod: podWith((p) => (p["spec"]["containers"][0]["image"] = "nginx ")),
      errors: [{ path: "spec.containers[0].image", message: 'Invalid value "nginx ": must not have leading or trailing whitespace' }],
    },
    {
      name: "port 0",
      pod: podWith((p) => (p["spec"]["containers"][0]["ports"] = [{ containerPort: 0 }])),
      errors: [{ path: "spec.containers[0].ports[0].containerPort", message: "Required value" }],
    },
    {
      name: "port 70000",
      pod: podWith((p) => (p["spec"]["containers"][0]["ports"] = [{ containerPort: 70000 }])),
      errors: [{ path: "spec.containers[0].ports[0].containerPort", message: "Invalid value 70000: must be between 1 and 65535, inclusive" }],
    },
    {
      name: "an unknown protocol",
      pod: podWith((p) => (p["spec"]["containers"][0]["ports"][0]["protocol"] = "HTTP")),
      errors: [{ path: "spec.containers[0].ports[0].protocol", message: 'Unsupported value "HTTP": supported values: "TCP", "UDP", "SCTP"' }],
    },
    {
      name: "duplicate port names",
      pod: podWith((p) => p["spec"]["containers"][0]["ports"].push({ name: "http", containerPort: 81 })),
      errors: [{ path: "spec.containers[0].ports[1].name", message: 'Duplicate value: "http"' }],
    },
    {
      name: "the same host port twice",
      pod: podWith((p) => {
        p["spec"]["containers"][0]["ports"] = [{ containerPort: 80, hostPort: 8080 }];
        p["spec"]["containers"].push({ name: "b", image: "b", ports: [{ containerPort: 81, hostPort: 8080 }] });
      }),
      errors: [{ path: "spec.containers[1].ports[0].hostPort", message: 'Duplicate value: "8080/TCP"' }],
    },
    {
      name: "an invalid quantity",
      pod: podWith((p) => (p["spec"]["containers"][0]["resources"]["requests"]["cpu"] = "lots")),
      errors: [
        {
          path: "spec.containers[0].resources.requests[cpu]",
          message: "Invalid value \"lots\": quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'",
        },
      ],
    },
    {
      name: "a quantity beyond the range",
      pod: podWith((p) => (p["spec"]["containers"][0]["resources"]["requests"]["cpu"] = "1e400")),
      errors: [
        {
          path: "spec.containers[0].resources.requests[cpu]",
          message: 'Invalid value "1e400": quantities must be no larger than 2^63-1 (9223372036854775807) in magnitude',
        },
      ],
    },
    {
      name: "a negative quantity",
      pod: podWith((p) => (p["spec"]["containers"][0]["resources"]["requests"]["memory"] = "-1Mi")),
      errors: [{ path: "spec.containers[0].resources.requests[memory]", message: 'Invalid value "-1Mi": must be greater than or equal to 0' }],
    },
    {
      name: "a request above its limit",
      pod: podWith((p) => (p["spec"]["containers"][0]["resources"]["requests"]["cpu"] = "1500m")),
      errors: [{ path: "spec.containers[0].resources.requests[cpu]", message: 'Invalid value "1500m": must be less than or equal to cpu limit of 1' }],
    },
    {
      name: "a non-standard resource",
      pod: podWith((p) => (p["spec"]["containers"][0]["resources"]["limits"]["gpu"] = "1")),
      errors: [{ path: "spec.containers[0].resources.limits[gpu]", message: 'Invalid value "gpu": must be a standard resource for containers' }],
    },
    {
      name: "a mount of an undeclared volume",
      pod: podWith((p) => (p["spec"]["containers"][0]["volumeMounts"][0]["name"] = "cache")),
      errors: [{ path: "spec.containers[0].volumeMounts[0].name", message: 'Not found: "cache"' }],
    },
    {
      name: "a relative mountPath",
      pod: podWith((p) => (p["spec"]["containers"][0]["volumeMounts"][0]["mountPath"] = "data")),
      errors: [{ path: "spec.containers[0].volumeMounts[0].mountPath", message: 'Invalid value "data": must be an absolute path' }],
    },
    {
      name: "the same mountPath twice",
      pod: podWith((p) => p["spec"]["containers"][0]["volumeMounts"].push({ name: "data", mountPath: "/data" })),
      errors: [{ path: "spec.containers[0].volumeMounts[1].mountPath", message: 'Invalid value "/data": must be unique' }],
    },
    {
      name: "a subPath escaping the volume",
      pod: podWith((p) => (p["spec"]["containers"][0]["volumeMounts"][0]["subPath"] = "a/../../etc")),
      errors: [{ path: "spec.containers[0].volumeMounts[0].subPath", message: "Invalid value \"a/../../etc\": must not contain '..'" }],
    },
    {
      name: "duplicate volume names",
      pod: podWith((p) => p["spec"]["volumes"].push({ name: "data", emptyDir: {} })),
      errors: [{ path: "spec.volumes[1].name", message: 'Duplicate value: "data"' }],
    },
    {
      name: "a volume with two sources",
      pod: podWith((p) => (p["spec"]["volumes"][0]["hostPath"] = { path: "/tmp" })),
      errors: [{ path: "spec.volumes[0].hostPath", message: "Forbidden: may not specify more than 1 volume type" }],
    },
    {
      name: "a hostPath of an unknown type",
      pod: podWith((p) => p["spec"]["volumes"].push({ name: "h", hostPath: { path: "/tmp", type: "Folder" } })),
      errors: [
        {
          path: "spec.volumes[1].hostPath.type",
          message: 'Unsupported value "Folder": supported values: "DirectoryOrCreate", "Directory", "FileOrCreate", "File", "Socket", "CharDevice", "BlockDevice"',
        },
      ],
    },
    {
      name: "an unknown restartPolicy",
      pod: podWith((p) => (p["spec"]["restartPolicy"] = "Sometimes")),
      errors: [{ path: "spec.restartPolicy", message: 'Unsupported value "Sometimes": supported values: "Always", "OnFailure", "Never"' }],
    },
    {
      name: "dnsPolicy None without dnsConfig",
      pod: podWith((p) => (p["spec"]["dnsPolicy"] = "None")),
      errors: [{ path: "spec.dnsConfig", message: "Required value: must provide `dnsConfig` when `dnsPolicy` is None" }],
    },
    {
      name: "dnsPolicy None without nameservers",
      pod: podWith((p) => {
        p["spec"]["dnsPolicy"] = "None";
        p["spec"]["dnsConfig"] = { searches: ["svc.example.com"] };
      }),
      errors: [{ path: "spec.dnsConfig.nameservers", message: "Required value: must provide at least one DNS nameserver when `dnsPolicy` is None" }],
    },
    {
      name: "a bad dnsConfig",
      pod: podWith((p) => {
        p["spec"]["dnsConfig"] = { nameservers: ["1.1.1.1", "dns.example", "8.8.8.8", "9.9.9.9"], searches: ["ok.example.", "Not_OK"], options: [{ value: "2" }] };
      }),
      errors: [
        { path: "spec.dnsConfig.nameservers", message: 'Invalid value "1.1.1.1,dns.example,8.8.8.8,9.9.9.9": must not have more than 3 nameservers' },
        { path: "spec.dnsConfig.nameservers[1]", message: 'Invalid value "dns.example": must be valid IP address' },
        { path: "spec.dnsConfig.searches[1]", message: expect.stringMatching(/^Invalid value "Not_OK": a lowercase RFC 1123 subdomain/) },
        { path: "spec.dnsConfig.options[0]", message: "Required value: Option.Name must not be empty" },
      ],
    },
    {
      name: "a negative grace period",
      pod: podWith((p) => (p["spec"]["terminationGracePeriodSeconds"] = -1)),
      errors: [{ path: "spec.terminationGracePeriodSeconds", message: "Invalid value -1: must be greater than or equal to 0" }],
    },
    {
      name: "an invalid nodeSelector",
      pod: podWith((p) => (p["spec"]["nodeSelector"] = { "disk type": "ssd" })),
      errors: [{ path: "spec.nodeSelector", message: expect.stringMatching(/^Invalid value "disk type": name part must consist/) }],
    },
    {
      name: "an invalid env name",
      pod: podWith((p) => (p["spec"]["containers"][0]["env"][0]["name"] = "A=B")),
      errors: [
        { path: "spec.containers[0].env[0].name", message: "Invalid value \"A=B\": a valid environment variable name must consist only of printable ASCII characters other than '='" },
      ],
    },
    {
      name: "an unknown toleration operator",
      pod: podWith((p) => (p["spec"]["tolerations"] = [{ key: "k", operator: "In", value: "v" }])),
      errors: [{ path: "spec.tolerations[0].operator", message: 'Unsupported value "In": supported values: "Equal", "Exists"' }],
    },
    {
      name: "an unknown toleration effect",
      pod: podWith((p) => (p["spec"]["tolerations"] = [{ key: "k", operator: "Exists", effect: "NoRun" }])),
      errors: [{ path: "spec.tolerations[0].effect", message: 'Unsupported value "NoRun": supported values: "NoSchedule", "PreferNoSchedule", "NoExecute"' }],
    },
    {
      name: "a keyless Equal toleration",
      pod: podWith((p) => (p["spec"]["tolerations"] = [{ operator: "Equal", value: "v" }])),
      errors: [
        { path: "spec.tolerations[0].operator", message: 'Invalid value "Equal": operator must be Exists when `key` is empty, which means "match all values and all keys"' },
      ],
    },
    {
      name: "an Exists toleration with a value",
      pod: podWith((p) => (p["spec"]["tolerations"] = [{ key: "k", operator: "Exists", value: "v" }])),
      errors: [{ path: "spec.tolerations[0].value", message: "Invalid value \"v\": value must be empty when `operator` is 'Exists'" }],
    },
    {
      name: "tolerationSeconds without NoExecute",
      pod: podWith((p) => (p["spec"]["tolerations"] = [{ key: "k", operator: "Exists", effect: "NoSchedule", tolerationSeconds: 5 }])),
      errors: [{ path: "spec.tolerations[0].effect", message: "Invalid value \"NoSchedule\": effect must be 'NoExecute' when `tolerationSeconds` is set" }],
    },
    {
      name: "an init container named as a container",
      pod: podWith((p) => (p["spec"]["initContainers"] = [{ name: "app", image: "busybox" }])),
      errors: [{ path: "spec.initContainers[0].name", message: 'Duplicate value: "app"' }],
    },
    {
      name: "two init containers of one name",
      pod: podWith((p) => (p["spec"]["initContainers"] = [{ name: "setup", image: "busybox" }, { name: "setup", image: "busybox" }])),
      errors: [{ path: "spec.initContainers[1].name", message: 'Duplicate value: "setup"' }],
    },
    {
      name: "an init container without an image",
      pod: podWith((p) => (p["spec"]["initContainers"] = [{ name: "setup" }])),
      errors: [{ path: "spec.initContainers[0].image", message: "Required value" }],
    },
    {
      name: "an init container mounting an unknown volume",
      pod: podWith((p) => (p["spec"]["initContainers"] = [{ name: "setup", image: "busybox", volumeMounts: [{ name: "nope", mountPath: "/x" }] }])),
      errors: [{ path: "spec.initContainers[0].volumeMounts[0].name", message: 'Not found: "nope"' }],
    },
    {
      name: "an init container with a bad port",
      pod: podWith((p) => (p["spec"]["initContainers"] = [{ name: "setup", image: "busybox", ports: [{ containerPort: 70000 }] }])),
      errors: [{ path: "spec.initContainers[0].ports[0].containerPort", message: "Invalid value 70000: must be between 1 and 65535, inclusive" }],
    },
    {
      name: "an init container with a readiness probe",
      pod: podWith((p) => (p["spec"]["initContainers"] = [{ name: "setup", image: "busybox", readinessProbe: { exec: { command: ["true"] } } }])),
      errors: [{ path: "spec.initContainers[0].readinessProbe", message: "Forbidden: may not be set for init containers without restartPolicy=Always" }],
    },
    {
      name: "a sidecar init container (restartPolicy Always), not supported yet",
      pod: podWith((p) => (p["spec"]["initContainers"] = [{ name: "proxy", image: "busybox", restartPolicy: "Always" }])),
      errors: [{ path: "spec.initContainers[0].restartPolicy", message: "Forbidden: restartPolicy Always (a sidecar container) is not supported yet" }],
    },
    {
      name: "an init container restartPolicy other than Always",
      pod: podWith((p) => (p["spec"]["initContainers"] = [{ name: "setup", image: "busybox", restartPolicy: "OnFailure" }])),
      errors: [{ path: "spec.initContainers[0].restartPolicy", message: 'Unsupported value "OnFailure": supported values: "Always"' }],
    },
    {
      name: "a restartPolicy on an app container",
      pod: podWith((p) => (p["spec"]["containers"][0]["restartPolicy"] = "Always")),
      errors: [{ path: "spec.containers[0].restartPolicy", message: "Forbidden: may not be set for non-init containers" }],
    },
  ])("$name", ({ pod, errors }) => {
    expect(validateObject("Pod", pod)).toEqual(errors);
  });

  it("reports every error at once", () => {
    const pod = podWith((p) => {
      p["metadata"]["name"] = "Web";
      p["spec"]["restartPolicy"] = "Sometimes";
      p["spec"]["containers"][0]["image"] = "";
    });
    expect(validateObject("Pod", pod).map((e) => e.path)).toEqual(["metadata.name", "spec.containers[0].image", "spec.restartPolicy"]);
  });
});

describe("validateObject, other kinds", () => {
  it.each<{ name: string; kind: string; json: Json; errors: FieldError[] }>([
    { name: "a valid Namespace", kind: "Namespace", json: { kind: "Namespace", metadata: { name: "prod" } }, errors: [] },
    {
      name: "a dotted Namespace name",
      kind: "Namespace",
      json: { kind: "Namespace", metadata: { name: "my.ns" } },
      errors: [{ path: "metadata.name", message: 'Invalid value "my.ns": must not contain dots' }],
    },
    {
      name: "a Namespace in a namespace",
      kind: "Namespace",
      json: { kind: "Namespace", metadata: { name: "a", namespace: "b" } },
      errors: [{ path: "metadata.namespace", message: "Forbidden: not allowed on this type" }],
    },
    {
      name: "a valid Node",
      kind: "Node",
      json: {
        kind: "Node",
        metadata: { name: "node-1.example.com" },
        spec: { taints: [{ key: "dedicated", value: "db", effect: "NoSchedule" }] },
        status: { capacity: { cpu: "8", memory: "32Gi", pods: "110" } },
      },
      errors: [],
    },
    {
      name: "a Node with a bad capacity",
      kind: "Node",
      json: { kind: "Node", metadata: { name: "n" }, status: { capacity: { cpu: "eight", pods: "1.5" } } },
      errors: [
        { path: "status.capacity[cpu]", message: "Invalid value \"eight\": quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'" },
        { path: "status.capacity[pods]", message: 'Invalid value "1.5": must be an integer' },
        { path: "status.allocatable[cpu]", message: "Invalid value \"eight\": quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'" },
        { path: "status.allocatable[pods]", message: 'Invalid value "1.5": must be an integer' },
      ],
    },
    {
      name: "a Node taint with a bad effect",
      kind: "Node",
      json: { kind: "Node", metadata: { name: "n" }, spec: { taints: [{ key: "k", effect: "Never" }, { key: "k", effect: "" }] } },
      errors: [
        { path: "spec.taints[0].effect", message: 'Unsupported value "Never": supported values: "NoSchedule", "PreferNoSchedule", "NoExecute"' },
        { path: "spec.taints[1].effect", message: "Required value" },
      ],
    },
    {
      name: "duplicate Node taints",
      kind: "Node",
      json: { kind: "Node", metadata: { name: "n" }, spec: { taints: [{ key: "k", effect: "NoSchedule" }, { key: "k", value: "x", effect: "NoSchedule" }] } },
      errors: [{ path: "spec.taints[1]", message: 'Duplicate value: "k:NoSchedule"' }],
    },
    {
      name: "an Event about another namespace",
      kind: "Event",
      json: { kind: "Event", metadata: { name: "e", namespace: "a" }, involvedObject: { kind: "Pod", namespace: "b", name: "p" } },
      errors: [{ path: "involvedObject.namespace", message: 'Invalid value "b": does not match event.namespace' }],
    },
    {
      name: "an unsupported kind",
      kind: "Widget",
      json: {},
      errors: [{ path: "kind", message: expect.stringMatching(/^Unsupported value "Widget": supported kinds are "Namespace", "Pod", /) }],
    },
  ])("$name", ({ kind, json, errors }) => {
    expect(validateObject(kind, json)).toEqual(errors);
  });
});

function aValidDeployment(): Json {
  return {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name: "web", namespace: "default" },
    spec: {
      replicas: 3,
      selector: { matchLabels: { app: "web" } },
      template: {
        metadata: { labels: { app: "web", tier: "front" } },
        spec: {
          containers: [
            {
              name: "app",
              image: "nginx:1.27",
              ports: [{ name: "http", containerPort: 80 }],
              livenessProbe: { httpGet: { path: "/healthz", port: "http" } },
              readinessProbe: { tcpSocket: { port: 80 }, successThreshold: 2 },
              startupProbe: { exec: { command: ["cat", "/ready"] }, failureThreshold: 30 },
            },
          ],
        },
      },
    },
  };
}

function deploymentWith(change: (d: Json) => void): Json {
  const d = aValidDeployment();
  change(d);
  return d;
}

const container = (d: Json): Json => d["spec"]["template"]["spec"]["containers"][0];
const probePath = "spec.template.spec.containers[0]";

describe("validateObject: Deployment", () => {
  it.each([
    { name: "the base deployment", deployment: aValidDeployment() },
    { name: "zero replicas", deployment: deploymentWith((d) => (d["spec"]["replicas"] = 0)) },
    { name: "a Recreate strategy", deployment: deploymentWith((d) => (d["spec"]["strategy"] = { type: "Recreate" })) },
    { name: "maxUnavailable 0 with a surge", deployment: deploymentWith((d) => (d["spec"]["strategy"] = { rollingUpdate: { maxUnavailable: 0, maxSurge: 1 } })) },
    { name: "100% unavailable", deployment: deploymentWith((d) => (d["spec"]["strategy"] = { rollingUpdate: { maxUnavailable: "100%" } })) },
    {
      name: "a matchExpressions selector",
      deployment: deploymentWith((d) => (d["spec"]["selector"] = { matchExpressions: [{ key: "tier", operator: "In", values: ["front", "back"] }] })),
    },
    {
      name: "a probe with a termination grace period",
      deployment: deploymentWith((d) => (container(d)["livenessProbe"]["terminationGracePeriodSeconds"] = 5)),
    },
  ])("accepts $name", ({ deployment }) => {
    expect(validateObject("Deployment", deployment)).toEqual([]);
  });

  it.each<{ name: string; deployment: Json; errors: FieldError[] }>([
    {
      name: "a selector that does not match the template",
      deployment: deploymentWith((d) => (d["spec"]["selector"] = { matchLabels: { app: "api" } })),
      errors: [{ path: "spec.template.metadata.labels", message: 'Invalid value {"app":"web","tier":"front"}: `selector` does not match template `labels`' }],
    },
    {
      name: "no selector",
      deployment: deploymentWith((d) => delete d["spec"]["selector"]),
      errors: [{ path: "spec.selector", message: "Required value" }],
    },
    {
      name: "an empty selector",
      deployment: deploymentWith((d) => (d["spec"]["selector"] = {})),
      errors: [{ path: "spec.selector", message: "Invalid value {}: empty selector is invalid for deployment" }],
    },
    {
      name: "a selector with an unknown operator",
      deployment: deploymentWith((d) => (d["spec"]["selector"] = { matchExpressions: [{ key: "app", operator: "Equals", values: ["web"] }] })),
      errors: [{ path: "spec.selector.matchExpressions[0].operator", message: 'Invalid value "Equals": not a valid selector operator' }],
    },
    {
      name: "negative replicas",
      deployment: deploymentWith((d) => (d["spec"]["replicas"] = -1)),
      errors: [{ path: "spec.replicas", message: "Invalid value -1: must be greater than or equal to 0" }],
    },
    {
      name: "maxSurge and maxUnavailable both 0",
      deployment: deploymentWith((d) => (d["spec"]["strategy"] = { rollingUpdate: { maxSurge: 0, maxUnavailable: "0%" } })),
      errors: [{ path: "spec.strategy.rollingUpdate.maxUnavailable", message: 'Invalid value "0%": may not be 0 when `maxSurge` is 0' }],
    },
    {
      name: "a malformed percentage",
      deployment: deploymentWith((d) => (d["spec"]["strategy"] = { rollingUpdate: { maxSurge: "25 %" } })),
      errors: [
        {
          path: "spec.strategy.rollingUpdate.maxSurge",
          message: "Invalid value \"25 %\": a valid percent string must be a numeric string followed by an ending '%' (e.g. '1%',  or '93%', regex used for validation is '[0-9]+%')",
        },
      ],
    },
    {
      name: "a negative maxSurge",
      deployment: deploymentWith((d) => (d["spec"]["strategy"] = { rollingUpdate: { maxSurge: -1 } })),
      errors: [{ path: "spec.strategy.rollingUpdate.maxSurge", message: "Invalid value -1: must be greater than or equal to 0" }],
    },
    {
      name: "maxUnavailable over 100%",
      deployment: deploymentWith((d) => (d["spec"]["strategy"] = { rollingUpdate: { maxUnavailable: "150%" } })),
      errors: [{ path: "spec.strategy.rollingUpdate.maxUnavailable", message: 'Invalid value "150%": must not be greater than 100%' }],
    },
    {
      name: "rollingUpdate with Recreate",
      deployment: deploymentWith((d) => (d["spec"]["strategy"] = { type: "Recreate", rollingUpdate: { maxSurge: 1 } })),
      errors: [{ path: "spec.strategy.rollingUpdate", message: "Forbidden: may not be specified when strategy `type` is 'Recreate'" }],
    },
    {
      name: "an unknown strategy",
      deployment: deploymentWith((d) => (d["spec"]["strategy"] = { type: "BlueGreen" })),
      errors: [{ path: "spec.strategy.type", message: 'Unsupported value "BlueGreen": supported values: "Recreate", "RollingUpdate"' }],
    },
    {
      name: "a template that does not always restart",
      deployment: deploymentWith((d) => (d["spec"]["template"]["spec"]["restartPolicy"] = "OnFailure")),
      errors: [{ path: "spec.template.spec.restartPolicy", message: 'Unsupported value "OnFailure": supported values: "Always"' }],
    },
    {
      name: "a template container without image",
      deployment: deploymentWith((d) => delete container(d)["image"]),
      errors: [{ path: "spec.template.spec.containers[0].image", message: "Required value" }],
    },
    {
      name: "a template without containers",
      deployment: deploymentWith((d) => (d["spec"]["template"]["spec"]["containers"] = [])),
      errors: [{ path: "spec.template.spec.containers", message: "Required value" }],
    },
    {
      name: "a template volume mount of an undeclared volume",
      deployment: deploymentWith((d) => (container(d)["volumeMounts"] = [{ name: "data", mountPath: "/data" }])),
      errors: [{ path: "spec.template.spec.containers[0].volumeMounts[0].name", message: 'Not found: "data"' }],
    },
    {
      name: "a progress deadline not above minReadySeconds",
      deployment: deploymentWith((d) => Object.assign(d["spec"], { minReadySeconds: 30, progressDeadlineSeconds: 30 })),
      errors: [{ path: "spec.progressDeadlineSeconds", message: "Invalid value 30: must be greater than minReadySeconds" }],
    },
    {
      name: "a negative history limit",
      deployment: deploymentWith((d) => (d["spec"]["revisionHistoryLimit"] = -1)),
      errors: [{ path: "spec.revisionHistoryLimit", message: "Invalid value -1: must be greater than or equal to 0" }],
    },
    {
      name: "a probe without handler",
      deployment: deploymentWith((d) => (container(d)["livenessProbe"] = { periodSeconds: 5 })),
      errors: [{ path: `${probePath}.livenessProbe`, message: "Required value: must specify a handler type" }],
    },
    {
      name: "a probe with two handlers",
      deployment: deploymentWith((d) => (container(d)["livenessProbe"]["tcpSocket"] = { port: 80 })),
      errors: [{ path: `${probePath}.livenessProbe.tcpSocket`, message: "Forbidden: may not specify more than 1 handler type" }],
    },
    {
      name: "a probe port out of range",
      deployment: deploymentWith((d) => (container(d)["readinessProbe"]["tcpSocket"]["port"] = 70000)),
      errors: [{ path: `${probePath}.readinessProbe.tcpSocket.port`, message: "Invalid value 70000: must be between 1 and 65535, inclusive" }],
    },
    {
      name: "a probe port name that is no name",
      deployment: deploymentWith((d) => (container(d)["livenessProbe"]["httpGet"]["port"] = "my_port")),
      errors: [
        {
          path: `${probePath}.livenessProbe.httpGet.port`,
          message: 'Invalid value "my_port": must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)',
        },
      ],
    },
    {
      name: "a probe without port",
      deployment: deploymentWith((d) => (container(d)["readinessProbe"]["tcpSocket"] = {})),
      errors: [{ path: `${probePath}.readinessProbe.tcpSocket.port`, message: "Required value" }],
    },
    {
      name: "an exec probe without command",
      deployment: deploymentWith((d) => (container(d)["startupProbe"]["exec"]["command"] = [])),
      errors: [{ path: `${probePath}.startupProbe.exec.command`, message: "Required value" }],
    },
    {
      name: "an httpGet probe with an unknown scheme",
      deployment: deploymentWith((d) => (container(d)["livenessProbe"]["httpGet"]["scheme"] = "FTP")),
      errors: [{ path: `${probePath}.livenessProbe.httpGet.scheme`, message: 'Unsupported value "FTP": supported values: "HTTP", "HTTPS"' }],
    },
    {
      name: "an httpGet header name with a space",
      deployment: deploymentWith((d) => (container(d)["livenessProbe"]["httpGet"]["httpHeaders"] = [{ name: "X Token", value: "t" }])),
      errors: [
        {
          path: `${probePath}.livenessProbe.httpGet.httpHeaders[0].name`,
          message: "Invalid value \"X Token\": a valid HTTP header must consist of alphanumeric characters or '-' (e.g. 'X-Header-Name', regex used for validation is '[-A-Za-z0-9]+')",
        },
      ],
    },
    {
      name: "a liveness probe needing two successes",
      deployment: deploymentWith((d) => (container(d)["livenessProbe"]["successThreshold"] = 2)),
      errors: [{ path: `${probePath}.livenessProbe.successThreshold`, message: "Invalid value 2: must be 1" }],
    },
    {
      name: "a negative initial delay",
      deployment: deploymentWith((d) => (container(d)["startupProbe"]["initialDelaySeconds"] = -5)),
      errors: [{ path: `${probePath}.startupProbe.initialDelaySeconds`, message: "Invalid value -5: must be greater than or equal to 0" }],
    },
    {
      name: "a readiness probe with a termination grace period",
      deployment: deploymentWith((d) => (container(d)["readinessProbe"]["terminationGracePeriodSeconds"] = 5)),
      errors: [{ path: `${probePath}.readinessProbe.terminationGracePeriodSeconds`, message: "Invalid value 5: must not be set for readinessProbes" }],
    },
    {
      name: "a probe grace period of 0",
      deployment: deploymentWith((d) => (container(d)["livenessProbe"]["terminationGracePeriodSeconds"] = 0)),
      errors: [{ path: `${probePath}.livenessProbe.terminationGracePeriodSeconds`, message: "Invalid value 0: must be greater than 0" }],
    },
  ])("rejects $name", ({ deployment, errors }) => {
    expect(validateObject("Deployment", deployment)).toEqual(errors);
  });
});

describe("validateObject: ReplicaSet and ReplicationController", () => {
  const template = { metadata: { labels: { app: "web" } }, spec: { containers: [{ name: "app", image: "nginx:1.27" }] } };
  const rs = (spec: Json): Json => ({ apiVersion: "apps/v1", kind: "ReplicaSet", metadata: { name: "web-1" }, spec: { template, ...spec } });
  const rc = (spec: Json): Json => ({ apiVersion: "v1", kind: "ReplicationController", metadata: { name: "web" }, spec: { template, ...spec } });

  it.each<{ name: string; kind: string; json: Json; errors: FieldError[] }>([
    { name: "a valid ReplicaSet", kind: "ReplicaSet", json: rs({ replicas: 2, selector: { matchLabels: { app: "web" } } }), errors: [] },
    { name: "a ReplicaSet without selector", kind: "ReplicaSet", json: rs({}), errors: [{ path: "spec.selector", message: "Required value" }] },
    {
      name: "a ReplicaSet with an empty selector",
      kind: "ReplicaSet",
      json: rs({ selector: {} }),
      errors: [{ path: "spec.selector", message: "Invalid value {}: empty selector is invalid for replicaset" }],
    },
    {
      name: "a ReplicaSet that does not select its template",
      kind: "ReplicaSet",
      json: rs({ selector: { matchExpressions: [{ key: "app", operator: "NotIn", values: ["web"] }] } }),
      errors: [{ path: "spec.template.metadata.labels", message: 'Invalid value {"app":"web"}: `selector` does not match template `labels`' }],
    },
    {
      name: "a ReplicaSet with negative counts",
      kind: "ReplicaSet",
      json: rs({ replicas: -2, minReadySeconds: -1, selector: { matchLabels: { app: "web" } } }),
      errors: [
        { path: "spec.replicas", message: "Invalid value -2: must be greater than or equal to 0" },
        { path: "spec.minReadySeconds", message: "Invalid value -1: must be greater than or equal to 0" },
      ],
    },
    { name: "a ReplicationController selecting by its template's labels", kind: "ReplicationController", json: rc({}), errors: [] },
    {
      name: "a ReplicationController with another selector",
      kind: "ReplicationController",
      json: rc({ selector: { app: "api" } }),
      errors: [{ path: "spec.template.metadata.labels", message: 'Invalid value {"app":"web"}: `selector` does not match template `labels`' }],
    },
    {
      name: "a ReplicationController with nothing to select by",
      kind: "ReplicationController",
      json: rc({ template: { spec: template.spec } }),
      errors: [{ path: "spec.selector", message: "Required value" }],
    },
  ])("$name", ({ kind, json, errors }) => {
    expect(validateObject(kind, json)).toEqual(errors);
  });
});

describe("validateStatus", () => {
  it.each<{ name: string; kind: string; status: Json; errors: FieldError[] }>([
    { name: "a consistent ReplicaSet status", kind: "ReplicaSet", status: { replicas: 3, fullyLabeledReplicas: 3, readyReplicas: 2, availableReplicas: 1 }, errors: [] },
    {
      name: "more ready than replicas",
      kind: "ReplicaSet",
      status: { replicas: 1, readyReplicas: 2, availableReplicas: 2 },
      errors: [
        { path: "status.readyReplicas", message: "Invalid value 2: cannot be greater than status.replicas" },
        { path: "status.availableReplicas", message: "Invalid value 2: cannot be greater than status.replicas" },
      ],
    },
    {
      name: "more available than ready",
      kind: "ReplicationController",
      status: { replicas: 3, readyReplicas: 1, availableReplicas: 2 },
      errors: [{ path: "status.availableReplicas", message: "Invalid value 2: cannot be greater than readyReplicas" }],
    },
    {
      name: "a negative Deployment count",
      kind: "Deployment",
      status: { replicas: 2, updatedReplicas: 3, unavailableReplicas: -1 },
      errors: [
        { path: "status.unavailableReplicas", message: "Invalid value -1: must be greater than or equal to 0" },
        { path: "status.updatedReplicas", message: "Invalid value 3: cannot be greater than status.replicas" },
      ],
    },
    { name: "a Pod status, not checked here", kind: "Pod", status: { phase: "Running" }, errors: [] },
  ])("$name", ({ kind, status, errors }) => {
    expect(validateStatus(kind, { kind, metadata: { name: "x" }, status })).toEqual(errors);
  });
});
