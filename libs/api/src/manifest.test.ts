import { InvalidError } from "@capstan/apimachinery";
import { describe, expect, it } from "vitest";
import { decodeManifest } from "./manifest.js";
import { kubernetesExamples } from "./testing/kubernetes-examples.js";

function decodeErrors(json: unknown): { subject: string; errors: readonly { path: string; message: string }[] } {
  try {
    decodeManifest(json);
  } catch (e) {
    if (e instanceof InvalidError) return { subject: e.subject, errors: e.fieldErrors };
    throw e;
  }
  throw new Error("expected the manifest to be rejected");
}

const pod = (spec: unknown, metadata: unknown = { name: "x" }): Record<string, unknown> => ({ apiVersion: "v1", kind: "Pod", metadata, spec });

describe("decodeManifest accepts", () => {
  it.each(kubernetesExamples)("the example $name", ({ manifest }) => {
    const decoded = decodeManifest(manifest);
    expect(decoded.kind).toBe(manifest["kind"]);
    expect(decoded.json).toEqual(manifest);
  });

  it.each([
    {
      name: "int64 as a numeric string",
      input: pod({ containers: [{ name: "a", image: "i" }], terminationGracePeriodSeconds: "10" }),
      check: (json: Record<string, unknown>) => expect((json["spec"] as Record<string, unknown>)["terminationGracePeriodSeconds"]).toBe(10),
    },
    {
      name: "a quantity written as a number",
      input: pod({ containers: [{ name: "a", image: "i", resources: { limits: { cpu: 2, memory: "1Gi" }, requests: { cpu: 0.5 } } }] }),
      check: (json: Record<string, unknown>) =>
        expect(json).toMatchObject({ spec: { containers: [{ resources: { limits: { cpu: "2", memory: "1Gi" }, requests: { cpu: "0.5" } } }] } }),
    },
    {
      name: "nulls as unset, as kubectl writes them",
      input: pod({ containers: [{ name: "a", image: "i", resources: {} }] }, { name: "x", creationTimestamp: null }),
      check: (json: Record<string, unknown>) => expect(json["metadata"]).toEqual({ name: "x" }),
    },
    {
      name: "a zero grace period, kept",
      input: pod({ containers: [{ name: "a", image: "i" }], terminationGracePeriodSeconds: 0 }),
      check: (json: Record<string, unknown>) => expect((json["spec"] as Record<string, unknown>)["terminationGracePeriodSeconds"]).toBe(0),
    },
  ])("$name", ({ input, check }) => {
    const decoded = decodeManifest(input);
    check(decoded.json);
    expect(decoded.apiObject.pod?.metadata?.name).toBe("x");
  });

  it("fills the gateway envelope", () => {
    const decoded = decodeManifest(kubernetesExamples.find((e) => e.name === "pod.yaml")!.manifest);
    expect(decoded.apiObject.pod?.spec?.containers[0]?.ports[0]?.containerPort).toBe(8000);
    expect(decoded.apiObject.namespace).toBeUndefined();
  });
});

describe("decodeManifest, IntOrString fields", () => {
  const deployment = (rollingUpdate: unknown): Record<string, unknown> => ({
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name: "d" },
    spec: { strategy: { type: "RollingUpdate", rollingUpdate } },
  });
  const probed = (probe: unknown) => pod({ containers: [{ name: "a", image: "i", livenessProbe: probe }] });

  it.each([
    { name: "an integer and a percentage", input: deployment({ maxSurge: 1, maxUnavailable: "25%" }), want: { maxSurge: "1", maxUnavailable: "25%" } },
    { name: "zero", input: deployment({ maxSurge: 0 }), want: { maxSurge: "0" } },
  ])("accepts $name, held as strings, written back as Kubernetes spells them", ({ input, want }) => {
    const decoded = decodeManifest(input);
    expect(decoded.apiObject.deployment?.spec?.strategy?.rollingUpdate).toEqual(want);
    expect(decoded.json).toEqual(input);
  });

  it.each([
    { name: "a port number", probe: { httpGet: { path: "/", port: 8080 } }, want: "8080" },
    { name: "a port name", probe: { tcpSocket: { port: "http" } }, want: "http" },
  ])("accepts a probe with $name", ({ probe, want }) => {
    const decoded = decodeManifest(probed(probe));
    const live = decoded.apiObject.pod?.spec?.containers[0]?.livenessProbe;
    expect(live?.httpGet?.port ?? live?.tcpSocket?.port).toBe(want);
    expect(decoded.json).toEqual(probed(probe));
  });

  it.each([
    {
      name: "a number in quotes",
      input: deployment({ maxSurge: "1" }),
      errors: [{ path: "spec.strategy.rollingUpdate.maxSurge", message: 'Invalid value "1": must be an integer or a string that is not a number (write 1 without quotes)' }],
    },
    {
      name: "a fraction",
      input: deployment({ maxUnavailable: 1.5 }),
      errors: [{ path: "spec.strategy.rollingUpdate.maxUnavailable", message: "Invalid value 1.5: must be an integer" }],
    },
    {
      name: "a boolean",
      input: probed({ tcpSocket: { port: true } }),
      errors: [{ path: "spec.containers[0].livenessProbe.tcpSocket.port", message: "Invalid value true: must be an integer or a string" }],
    },
  ])("rejects $name", ({ input, errors }) => {
    expect(decodeErrors(input).errors).toEqual(errors);
  });
});

describe("decodeManifest, workload kinds", () => {
  it("rejects a Deployment at apiVersion v1 and an unknown field in its template", () => {
    const { subject, errors } = decodeErrors({
      apiVersion: "v1",
      kind: "Deployment",
      metadata: { name: "web" },
      spec: { selector: { matchLabels: { app: "web" } }, template: { metadata: { labels: { app: "web" } }, spec: { containers: [{ name: "a", image: "i", livenessprobe: {} }] } } },
    });
    expect(subject).toBe('Deployment "web"');
    expect(errors).toEqual([
      { path: "apiVersion", message: 'Unsupported value "v1": supported values: "apps/v1"' },
      { path: "spec.template.spec.containers[0].livenessprobe", message: "unknown field" },
    ]);
  });

  it("decodes a ReplicationController's map selector and a ReplicaSet's matchExpressions", () => {
    const rc = decodeManifest({ apiVersion: "v1", kind: "ReplicationController", metadata: { name: "rc" }, spec: { replicas: 0, selector: { app: "web" } } });
    expect(rc.apiObject.replicationController?.spec).toMatchObject({ replicas: 0, selector: { app: "web" } });
    const rs = decodeManifest({
      apiVersion: "apps/v1",
      kind: "ReplicaSet",
      metadata: { name: "rs" },
      spec: { selector: { matchExpressions: [{ key: "tier", operator: "In", values: ["front"] }] } },
    });
    expect(rs.apiObject.replicaSet?.spec?.selector?.matchExpressions).toEqual([{ key: "tier", operator: "In", values: ["front"] }]);
  });
});

describe("decodeManifest rejects", () => {
  it.each([
    {
      name: "a misspelled field",
      input: pod({ containers: [{ name: "a", imagee: "nginx" }] }),
      errors: [{ path: "spec.containers[0].imagee", message: "unknown field" }],
    },
    {
      name: "a snake_case field",
      input: pod({ containers: [{ name: "a", image: "i", working_dir: "/" }] }),
      errors: [{ path: "spec.containers[0].working_dir", message: "unknown field" }],
    },
    {
      name: "a string for an integer",
      input: pod({ containers: [{ name: "a", image: "i", ports: [{ containerPort: "abc" }] }] }),
      errors: [{ path: "spec.containers[0].ports[0].containerPort", message: 'Invalid value "abc": must be an integer' }],
    },
    {
      name: "a numeric string for an int32",
      input: pod({ containers: [{ name: "a", image: "i", ports: [{ containerPort: "80" }] }] }),
      errors: [{ path: "spec.containers[0].ports[0].containerPort", message: 'Invalid value "80": must be an integer' }],
    },
    {
      name: "a fraction for an integer",
      input: pod({ containers: [{ name: "a", image: "i", ports: [{ containerPort: 80.5 }] }] }),
      errors: [{ path: "spec.containers[0].ports[0].containerPort", message: "Invalid value 80.5: must be an integer" }],
    },
    {
      name: "an int32 out of range",
      input: pod({ containers: [{ name: "a", image: "i", ports: [{ containerPort: 2 ** 31 }] }] }),
      errors: [{ path: "spec.containers[0].ports[0].containerPort", message: "Invalid value 2147483648: must be an integer between -2147483648 and 2147483647" }],
    },
    {
      name: "a number for a string",
      input: pod({ containers: [{ name: "a", image: "i", env: [{ name: "PORT", value: 8080 }] }] }),
      errors: [{ path: "spec.containers[0].env[0].value", message: "Invalid value 8080: must be a string" }],
    },
    {
      name: "a non-string label value",
      input: pod({ containers: [{ name: "a", image: "i" }] }, { name: "x", labels: { version: 1, ok: "yes" } }),
      errors: [{ path: "metadata.labels[version]", message: "Invalid value 1: must be a string" }],
    },
    {
      name: "a map given as a list",
      input: pod({ containers: [{ name: "a", image: "i" }], nodeSelector: ["disk=ssd"] }),
      errors: [{ path: "spec.nodeSelector", message: "Invalid value [...]: must be an object" }],
    },
    {
      name: "a single value for a list",
      input: pod({ containers: { name: "a", image: "i" } }),
      errors: [{ path: "spec.containers", message: "Invalid value {...}: must be an array" }],
    },
    {
      name: "a string list holding a number",
      input: pod({ containers: [{ name: "a", image: "i", command: ["sleep", 10] }] }),
      errors: [{ path: "spec.containers[0].command[1]", message: "Invalid value 10: must be a string" }],
    },
    {
      name: "a boolean as a string",
      input: pod({ containers: [{ name: "a", image: "i", volumeMounts: [{ name: "v", mountPath: "/v", readOnly: "true" }] }] }),
      errors: [{ path: "spec.containers[0].volumeMounts[0].readOnly", message: 'Invalid value "true": must be a boolean' }],
    },
    {
      name: "a quantity that is neither string nor number",
      input: pod({ containers: [{ name: "a", image: "i", resources: { limits: { cpu: true } } }] }),
      errors: [{ path: "spec.containers[0].resources.limits[cpu]", message: 'Invalid value true: must be a quantity (a string such as "100m" or "1Gi", or a number)' }],
    },
    {
      name: "a non-numeric int64 string",
      input: pod({ containers: [{ name: "a", image: "i" }], terminationGracePeriodSeconds: "ten" }),
      errors: [{ path: "spec.terminationGracePeriodSeconds", message: 'Invalid value "ten": must be an integer' }],
    },
    {
      name: "a scalar for an object",
      input: pod("containers"),
      errors: [{ path: "spec", message: 'Invalid value "containers": must be an object' }],
    },
  ])("$name", ({ input, errors }) => {
    expect(decodeErrors(input)).toEqual({ subject: 'Pod "x"', errors });
  });

  it("reports every error at once", () => {
    const { errors } = decodeErrors({
      apiVersion: "apps/v1",
      kind: "Pod",
      metadata: { name: "x", labelz: {} },
      spec: { containers: [{ name: "a", image: 1, imagee: "i", ports: [{ containerPort: "abc" }] }] },
      extra: true,
    });
    expect(errors).toEqual([
      { path: "apiVersion", message: 'Unsupported value "apps/v1": supported values: "v1"' },
      { path: "metadata.labelz", message: "unknown field" },
      { path: "spec.containers[0].image", message: "Invalid value 1: must be a string" },
      { path: "spec.containers[0].imagee", message: "unknown field" },
      { path: "spec.containers[0].ports[0].containerPort", message: 'Invalid value "abc": must be an integer' },
      { path: "extra", message: "unknown field" },
    ]);
  });

  it.each([
    { name: "no kind", input: { apiVersion: "v1", metadata: { name: "x" } }, subject: 'object "x"', errors: [{ path: "kind", message: "Required value" }] },
    {
      name: "neither kind nor apiVersion",
      input: { metadata: { generateName: "x-" } },
      subject: 'object "x-"',
      errors: [
        { path: "apiVersion", message: "Required value" },
        { path: "kind", message: "Required value" },
      ],
    },
    {
      name: "an unsupported kind",
      input: { apiVersion: "apps/v1", kind: "Widget", metadata: { name: "d" } },
      subject: 'Widget "d"',
      errors: [{ path: "kind", message: expect.stringMatching(/^Unsupported value "Widget": supported kinds are "Namespace", "Pod", /) }],
    },
    { name: "a kind that is not a string", input: { apiVersion: "v1", kind: 5 }, subject: "object", errors: [{ path: "kind", message: "Invalid value 5: must be a string" }] },
    {
      name: "a Pod without apiVersion",
      input: { kind: "Pod", metadata: { name: "p" } },
      subject: 'Pod "p"',
      errors: [{ path: "apiVersion", message: "Required value" }],
    },
    { name: "a list, not an object", input: [], subject: "object", errors: [{ path: "(root)", message: "Invalid value [...]: must be an object" }] },
  ])("$name", ({ input, subject, errors }) => {
    expect(decodeErrors(input)).toEqual({ subject, errors });
  });
});
