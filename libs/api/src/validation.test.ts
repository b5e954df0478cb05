import type { FieldError } from "@capstan/apimachinery";
import { describe, expect, it } from "vitest";
import { applyDefaults } from "./defaults.js";
import { decodeManifest } from "./manifest.js";
import { kubernetesExamples } from "./testing/kubernetes-examples.js";
import { validateObject } from "./validation.js";

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

  it("rejects an object over the size limit", () => {
    const pod = aValidPod();
    const size = Buffer.byteLength(JSON.stringify(pod));
    expect(validateObject("Pod", pod, { maxObjectBytes: size })).toEqual([]);
    expect(validateObject("Pod", pod, { maxObjectBytes: size - 1 })).toEqual([
      { path: "metadata", message: `Too long: object size ${size} exceeds the limit of ${size - 1} bytes` },
    ]);
  });

  it("limits objects to 1.5 MiB by default", () => {
    const pod = podWith((p) => (p["spec"]["containers"][0]["args"] = ["x".repeat(1.5 * 1024 * 1024)]));
    expect(validateObject("Pod", pod)).toEqual([{ path: "metadata", message: expect.stringMatching(/^Too long: object size \d+ exceeds the limit of 1572864 bytes$/) }]);
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
      kind: "Deployment",
      json: {},
      errors: [{ path: "kind", message: 'Unsupported value "Deployment": supported kinds are "Namespace", "Pod", "Node", "Event"' }],
    },
  ])("$name", ({ kind, json, errors }) => {
    expect(validateObject(kind, json)).toEqual(errors);
  });
});
