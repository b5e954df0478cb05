import type { FieldError } from "@capstan/apimachinery";
import { describe, expect, it } from "vitest";
import { applyDefaults } from "./defaults.js";
import { decodeManifest } from "./manifest.js";
import { validateObject } from "./validation.js";

type Json = Record<string, any>;

/** A Kubernetes manifest using every scheduling field, as kubectl would apply it. */
const kubernetesPod: Json = {
  apiVersion: "v1",
  kind: "Pod",
  metadata: { name: "web", namespace: "default", labels: { app: "web" } },
  spec: {
    containers: [{ name: "app", image: "nginx" }],
    priorityClassName: "high",
    preemptionPolicy: "Never",
    overhead: { cpu: "250m", memory: "120Mi" },
    schedulingGates: [{ name: "example.com/quota" }],
    affinity: {
      nodeAffinity: {
        requiredDuringSchedulingIgnoredDuringExecution: {
          nodeSelectorTerms: [
            { matchExpressions: [{ key: "topology.kubernetes.io/zone", operator: "In", values: ["a", "b"] }] },
            { matchFields: [{ key: "metadata.name", operator: "In", values: ["node-1"] }] },
          ],
        },
        preferredDuringSchedulingIgnoredDuringExecution: [
          { weight: 1, preference: { matchExpressions: [{ key: "cores", operator: "Gt", values: ["4"] }] } },
        ],
      },
      podAffinity: {
        requiredDuringSchedulingIgnoredDuringExecution: [
          { labelSelector: { matchLabels: { app: "cache" } }, topologyKey: "kubernetes.io/hostname" },
        ],
      },
      podAntiAffinity: {
        preferredDuringSchedulingIgnoredDuringExecution: [
          {
            weight: 100,
            podAffinityTerm: {
              labelSelector: { matchExpressions: [{ key: "app", operator: "In", values: ["web"] }] },
              namespaces: ["default"],
              namespaceSelector: {},
              topologyKey: "kubernetes.io/hostname",
            },
          },
        ],
      },
    },
    topologySpreadConstraints: [
      {
        maxSkew: 1,
        topologyKey: "topology.kubernetes.io/zone",
        whenUnsatisfiable: "DoNotSchedule",
        labelSelector: { matchLabels: { app: "web" } },
        minDomains: 2,
        nodeAffinityPolicy: "Honor",
        nodeTaintsPolicy: "Ignore",
        matchLabelKeys: ["pod-template-hash"],
      },
    ],
  },
};

function podWith(change: (spec: Json) => void): Json {
  const pod = structuredClone(kubernetesPod);
  change(pod["spec"]);
  return pod;
}

describe("pod scheduling fields", () => {
  it("decode from a Kubernetes manifest and come back unchanged after defaulting", () => {
    const { kind, json } = decodeManifest(kubernetesPod);
    expect(validateObject(kind, json)).toEqual([]);
    const defaulted = applyDefaults(kind, json) as Json;
    for (const f of ["affinity", "topologySpreadConstraints", "priorityClassName", "preemptionPolicy", "overhead", "schedulingGates"]) {
      expect(defaulted["spec"][f], f).toEqual(kubernetesPod["spec"][f]);
    }
  });

  it("refuse a misspelled field inside affinity, naming it", () => {
    const pod = podWith((s) => (s["affinity"]["nodeAffinity"]["requiredDuringScheduling"] = {}));
    expect(() => decodeManifest(pod)).toThrow(/spec\.affinity\.nodeAffinity\.requiredDuringScheduling/);
  });

  const nodeTermPath = "spec.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms";
  const withRequirement = (r: Json) =>
    podWith((s) => (s["affinity"]["nodeAffinity"]["requiredDuringSchedulingIgnoredDuringExecution"] = { nodeSelectorTerms: [{ matchExpressions: [r] }] }));

  it.each<{ name: string; pod: Json; errors: FieldError[] }>([
    {
      name: "In without values",
      pod: withRequirement({ key: "zone", operator: "In" }),
      errors: [{ path: `${nodeTermPath}[0].matchExpressions[0].values`, message: "Required value: must be specified when `operator` is 'In' or 'NotIn'" }],
    },
    {
      name: "Exists with values",
      pod: withRequirement({ key: "zone", operator: "Exists", values: ["a"] }),
      errors: [{ path: `${nodeTermPath}[0].matchExpressions[0].values`, message: "Forbidden: may not be specified when `operator` is 'Exists' or 'DoesNotExist'" }],
    },
    {
      name: "Gt with two values",
      pod: withRequirement({ key: "cores", operator: "Gt", values: ["1", "2"] }),
      errors: [{ path: `${nodeTermPath}[0].matchExpressions[0].values`, message: "Required value: must be specified single value when `operator` is 'Lt' or 'Gt'" }],
    },
    {
      name: "an unknown operator",
      pod: withRequirement({ key: "zone", operator: "Equals", values: ["a"] }),
      errors: [{ path: `${nodeTermPath}[0].matchExpressions[0].operator`, message: 'Invalid value "Equals": not a valid selector operator' }],
    },
    {
      name: "a required node affinity without terms",
      pod: podWith((s) => (s["affinity"]["nodeAffinity"]["requiredDuringSchedulingIgnoredDuringExecution"] = { nodeSelectorTerms: [] })),
      errors: [{ path: nodeTermPath, message: "Required value: must have at least one node selector term" }],
    },
    {
      name: "a matchFields key other than metadata.name",
      pod: podWith(
        (s) =>
          (s["affinity"]["nodeAffinity"]["requiredDuringSchedulingIgnoredDuringExecution"] = {
            nodeSelectorTerms: [{ matchFields: [{ key: "spec.unschedulable", operator: "In", values: ["true"] }] }],
          }),
      ),
      errors: [{ path: `${nodeTermPath}[0].matchFields[0].key`, message: 'Unsupported value "spec.unschedulable": supported values: "metadata.name"' }],
    },
    {
      name: "a preferred node term of weight 0",
      pod: podWith((s) => (s["affinity"]["nodeAffinity"]["preferredDuringSchedulingIgnoredDuringExecution"][0]["weight"] = 0)),
      errors: [{ path: "spec.affinity.nodeAffinity.preferredDuringSchedulingIgnoredDuringExecution[0].weight", message: "Invalid value 0: must be in the range 1-100" }],
    },
    {
      name: "a pod anti-affinity weight of 101",
      pod: podWith((s) => (s["affinity"]["podAntiAffinity"]["preferredDuringSchedulingIgnoredDuringExecution"][0]["weight"] = 101)),
      errors: [{ path: "spec.affinity.podAntiAffinity.preferredDuringSchedulingIgnoredDuringExecution[0].weight", message: "Invalid value 101: must be in the range 1-100" }],
    },
    {
      name: "a pod affinity term without topologyKey",
      pod: podWith((s) => (s["affinity"]["podAffinity"]["requiredDuringSchedulingIgnoredDuringExecution"][0]["topologyKey"] = "")),
      errors: [{ path: "spec.affinity.podAffinity.requiredDuringSchedulingIgnoredDuringExecution[0].topologyKey", message: "Required value: can not be empty" }],
    },
    {
      name: "maxSkew 0",
      pod: podWith((s) => (s["topologySpreadConstraints"][0]["maxSkew"] = 0)),
      errors: [{ path: "spec.topologySpreadConstraints[0].maxSkew", message: "Invalid value 0: must be greater than zero" }],
    },
    {
      name: "an unknown whenUnsatisfiable (minDomains then forbidden too)",
      pod: podWith((s) => (s["topologySpreadConstraints"][0]["whenUnsatisfiable"] = "Never")),
      errors: [
        { path: "spec.topologySpreadConstraints[0].whenUnsatisfiable", message: 'Unsupported value "Never": supported values: "DoNotSchedule", "ScheduleAnyway"' },
        { path: "spec.topologySpreadConstraints[0].minDomains", message: "Invalid value 2: can only use minDomains if whenUnsatisfiable=DoNotSchedule, not Never" },
      ],
    },
    {
      name: "a spread constraint without topologyKey",
      pod: podWith((s) => (s["topologySpreadConstraints"][0]["topologyKey"] = "")),
      errors: [{ path: "spec.topologySpreadConstraints[0].topologyKey", message: "Required value: can not be empty" }],
    },
    {
      name: "two constraints on the same key and action",
      pod: podWith((s) => s["topologySpreadConstraints"].push({ ...s["topologySpreadConstraints"][0], matchLabelKeys: [] })),
      errors: [
        {
          path: "spec.topologySpreadConstraints[1].{topologyKey, whenUnsatisfiable}",
          message: 'Duplicate value: "{topology.kubernetes.io/zone, DoNotSchedule}"',
        },
      ],
    },
    {
      name: "a matchLabelKey the selector already has",
      pod: podWith((s) => (s["topologySpreadConstraints"][0]["matchLabelKeys"] = ["app"])),
      errors: [{ path: "spec.topologySpreadConstraints[0].matchLabelKeys[0]", message: 'Invalid value "app": exists in both matchLabelKeys and labelSelector' }],
    },
    {
      name: "an unknown nodeTaintsPolicy",
      pod: podWith((s) => (s["topologySpreadConstraints"][0]["nodeTaintsPolicy"] = "Always")),
      errors: [{ path: "spec.topologySpreadConstraints[0].nodeTaintsPolicy", message: 'Unsupported value "Always": supported values: "Honor", "Ignore"' }],
    },
    {
      name: "an unknown preemptionPolicy",
      pod: podWith((s) => (s["preemptionPolicy"] = "Sometimes")),
      errors: [{ path: "spec.preemptionPolicy", message: 'Unsupported value "Sometimes": supported values: "PreemptLowerPriority", "Never"' }],
    },
    {
      name: "a duplicate scheduling gate",
      pod: podWith((s) => s["schedulingGates"].push({ name: "example.com/quota" })),
      errors: [{ path: "spec.schedulingGates[1]", message: 'Duplicate value: "example.com/quota"' }],
    },
    {
      name: "a negative overhead",
      pod: podWith((s) => (s["overhead"]["cpu"] = "-1")),
      errors: [{ path: "spec.overhead[cpu]", message: 'Invalid value "-1": must be greater than or equal to 0' }],
    },
  ])("refuse $name, naming the field and the rule", ({ pod, errors }) => {
    const { kind, json } = decodeManifest(pod);
    expect(validateObject(kind, json)).toEqual(errors);
  });

  it("are validated inside a Deployment's pod template too", () => {
    const deployment = {
      apiVersion: "apps/v1",
      kind: "Deployment",
      metadata: { name: "web", namespace: "default" },
      spec: {
        selector: { matchLabels: { app: "web" } },
        template: { metadata: { labels: { app: "web" } }, spec: { ...podWith((s) => (s["topologySpreadConstraints"][0]["maxSkew"] = -1))["spec"] } },
      },
    };
    const { kind, json } = decodeManifest(deployment);
    expect(validateObject(kind, json)).toEqual([
      { path: "spec.template.spec.topologySpreadConstraints[0].maxSkew", message: "Invalid value -1: must be greater than zero" },
    ]);
  });
});

describe("PriorityClass", () => {
  const pc = (body: Json): Json => ({ apiVersion: "scheduling.k8s.io/v1", kind: "PriorityClass", metadata: { name: "high" }, value: 1000, ...body });

  it("decodes, defaults preemptionPolicy and validates", () => {
    const { kind, json } = decodeManifest(pc({ globalDefault: false, description: "important" }));
    expect(kind).toBe("PriorityClass");
    expect(validateObject(kind, json)).toEqual([]);
    expect(applyDefaults(kind, json)).toMatchObject({ value: 1000, preemptionPolicy: "PreemptLowerPriority", description: "important" });
  });

  it.each<{ name: string; manifest: Json; errors: FieldError[] }>([
    {
      name: "a user value above one billion",
      manifest: pc({ value: 1_000_000_001 }),
      errors: [{ path: "value", message: "Forbidden: maximum allowed value of a user defined priority is 1000000000" }],
    },
    {
      name: "a system- name the system does not define",
      manifest: pc({ metadata: { name: "system-mine" } }),
      errors: [{ path: "metadata.name", message: "Forbidden: priority class names with 'system-' prefix are reserved for system use only" }],
    },
    {
      name: "a namespace",
      manifest: pc({ metadata: { name: "high", namespace: "default" } }),
      errors: [{ path: "metadata.namespace", message: "Forbidden: not allowed on this type" }],
    },
    {
      name: "an unknown preemptionPolicy",
      manifest: pc({ preemptionPolicy: "Always" }),
      errors: [{ path: "preemptionPolicy", message: 'Unsupported value "Always": supported values: "PreemptLowerPriority", "Never"' }],
    },
  ])("refuses $name", ({ manifest, errors }) => {
    const { kind, json } = decodeManifest(manifest);
    expect(validateObject(kind, json)).toEqual(errors);
  });
});
