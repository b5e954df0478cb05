import { describe, expect, it } from "vitest";
import { isCapstanError, type JsonObject } from "@capstan/apimachinery";
import { kubernetesExamples } from "../testing/kubernetes-examples.js";
import { strategicMergePatch } from "./strategic-merge.js";

/** A Pod with these spec fields (and the metadata kubectl's patches leave alone). */
function pod(spec: JsonObject, metadata: JsonObject = {}): JsonObject {
  return { apiVersion: "v1", kind: "Pod", metadata: { name: "web", namespace: "default", ...metadata }, spec };
}

/** A Deployment whose pod template has these spec fields. */
function deployment(podSpec: JsonObject, spec: JsonObject = {}): JsonObject {
  return {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name: "web", namespace: "default" },
    spec: { replicas: 2, ...spec, template: { metadata: { labels: { app: "web" } }, spec: podSpec } },
  };
}

/** A container as the apiserver stores it: defaulted fields the user's manifest never set. */
function container(name: string, fields: JsonObject = {}): JsonObject {
  return { name, image: `${name}:1`, imagePullPolicy: "IfNotPresent", terminationMessagePath: "/dev/termination-log", ...fields };
}

const names = (list: unknown): unknown[] => (list as JsonObject[]).map((c) => c["name"]);

describe("strategicMergePatch: what kubectl sends", () => {
  it("kubectl apply changing a container image merges that container by name and keeps server-set fields", () => {
    const current = deployment({ containers: [container("web", { ports: [{ containerPort: 80, protocol: "TCP" }] }), container("log")] });
    // kubectl apply's three-way patch for an edited image (plus the last-applied annotation).
    const patch = {
      metadata: { annotations: { "kubectl.kubernetes.io/last-applied-configuration": "{}" } },
      spec: { template: { spec: { "$setElementOrder/containers": [{ name: "web" }, { name: "log" }], containers: [{ image: "web:2", name: "web" }] } } },
    };
    expect(strategicMergePatch(current, patch, "Deployment")).toEqual({
      ...current,
      metadata: { name: "web", namespace: "default", annotations: { "kubectl.kubernetes.io/last-applied-configuration": "{}" } },
      spec: {
        replicas: 2,
        template: {
          metadata: { labels: { app: "web" } },
          spec: { containers: [container("web", { image: "web:2", ports: [{ containerPort: 80, protocol: "TCP" }] }), container("log")] },
        },
      },
    });
  });

  it("kubectl set image sends the same container merge without an order directive", () => {
    const current = pod({ containers: [container("web"), container("log")] });
    const patched = strategicMergePatch(current, { spec: { containers: [{ name: "log", image: "log:2" }] } }, "Pod");
    expect(patched["spec"]).toEqual({ containers: [container("web"), container("log", { image: "log:2" })] });
  });

  it("kubectl apply removing an env var deletes it by name and keeps the others in order", () => {
    const env = [
      { name: "A", value: "1" },
      { name: "B", value: "2" },
      { name: "C", value: "3" },
    ];
    const current = pod({ containers: [container("web", { env })] });
    const patch = {
      spec: {
        "$setElementOrder/containers": [{ name: "web" }],
        containers: [{ "$setElementOrder/env": [{ name: "A" }, { name: "C" }], env: [{ $patch: "delete", name: "B" }], name: "web" }],
      },
    };
    expect(strategicMergePatch(current, patch, "Pod")["spec"]).toEqual({
      containers: [container("web", { env: [env[0], env[2]] })],
    });
  });

  it("kubectl apply reordering containers follows $setElementOrder and keeps a server-only container in place", () => {
    // Upstream's "set elements order in a list with server-only items 2", with containers for mergingList.
    const current = pod({ containers: [container("1", { args: ["a"] }), container("2"), container("9"), container("3"), container("4")] });
    const patch = { spec: { "$setElementOrder/containers": [{ name: "2" }, { name: "1" }, { name: "4" }, { name: "3" }] } };
    expect(names((strategicMergePatch(current, patch, "Pod")["spec"] as JsonObject)["containers"])).toEqual(["2", "1", "9", "4", "3"]);
  });

  it("kubectl apply deleting a Service port removes it by port number", () => {
    const current = {
      kind: "Service",
      metadata: { name: "web" },
      spec: {
        clusterIP: "10.0.0.10",
        ports: [
          { name: "http", port: 80, targetPort: 8080, protocol: "TCP" },
          { name: "https", port: 443, targetPort: 8443, protocol: "TCP" },
        ],
      },
    };
    const patch = { spec: { "$setElementOrder/ports": [{ port: 80 }], ports: [{ $patch: "delete", port: 443 }] } };
    expect(strategicMergePatch(current, patch, "Service")["spec"]).toEqual({
      clusterIP: "10.0.0.10",
      ports: [{ name: "http", port: 80, targetPort: 8080, protocol: "TCP" }],
    });
  });

  it("a container's ports merge by containerPort", () => {
    const current = pod({ containers: [container("web", { ports: [{ containerPort: 80, name: "http" }] })] });
    const patch = { spec: { containers: [{ name: "web", ports: [{ containerPort: 80, protocol: "TCP" }, { containerPort: 9090 }] }] } };
    expect(strategicMergePatch(current, patch, "Pod")["spec"]).toEqual({
      containers: [container("web", { ports: [{ containerPort: 80, name: "http", protocol: "TCP" }, { containerPort: 9090 }] })],
    });
  });

  it("kubectl label with a null value removes the label and keeps the rest", () => {
    const current = pod({ containers: [container("web")] }, { labels: { app: "web", tier: "front" } });
    const patched = strategicMergePatch(current, { metadata: { labels: { tier: null, track: "stable" } } }, "Pod");
    expect(patched["metadata"]).toEqual({ name: "web", namespace: "default", labels: { app: "web", track: "stable" } });
  });

  it("kubectl apply switching a Deployment to Recreate clears rollingUpdate through $retainKeys", () => {
    const current = deployment({ containers: [container("web")] }, { strategy: { type: "RollingUpdate", rollingUpdate: { maxSurge: "25%", maxUnavailable: "25%" } } });
    const patch = { spec: { strategy: { $retainKeys: ["type"], type: "Recreate" } } };
    expect((strategicMergePatch(current, patch, "Deployment")["spec"] as JsonObject)["strategy"]).toEqual({ type: "Recreate" });
  });

  it("kubectl apply changing a volume's source drops the old source through $retainKeys in the volume", () => {
    const current = pod({ containers: [container("web")], volumes: [{ name: "data", emptyDir: {} }, { name: "cache", emptyDir: {} }] });
    const patch = { spec: { volumes: [{ $retainKeys: ["configMap", "name"], configMap: { name: "settings" }, name: "data" }] } };
    expect((strategicMergePatch(current, patch, "Pod")["spec"] as JsonObject)["volumes"]).toEqual([
      { name: "data", configMap: { name: "settings" } },
      { name: "cache", emptyDir: {} },
    ]);
  });

  it("follows the pod template into a CronJob's jobTemplate", () => {
    const current = {
      kind: "CronJob",
      metadata: { name: "report" },
      spec: { schedule: "0 * * * *", jobTemplate: { spec: { template: { spec: { containers: [container("report"), container("upload")] } } } } },
    };
    const patch = { spec: { jobTemplate: { spec: { template: { spec: { containers: [{ name: "upload", image: "upload:2" }] } } } } } };
    const patched = strategicMergePatch(current, patch, "CronJob") as { spec: { jobTemplate: { spec: { template: { spec: JsonObject } } } } };
    expect(patched.spec.jobTemplate.spec.template.spec["containers"]).toEqual([container("report"), container("upload", { image: "upload:2" })]);
  });

  it("merges a Node's status conditions by type, as a node agent's status patch does", () => {
    const current = {
      kind: "Node",
      metadata: { name: "node-1" },
      status: {
        conditions: [
          { type: "Ready", status: "False", reason: "KubeletNotReady" },
          { type: "MemoryPressure", status: "False" },
        ],
        addresses: [{ type: "InternalIP", address: "10.0.0.1" }],
      },
    };
    const patch = { status: { conditions: [{ type: "Ready", status: "True", reason: "KubeletReady" }], addresses: [{ type: "Hostname", address: "node-1" }] } };
    expect(strategicMergePatch(current, patch, "Node")["status"]).toEqual({
      conditions: [
        { type: "Ready", status: "True", reason: "KubeletReady" },
        { type: "MemoryPressure", status: "False" },
      ],
      // Without $setElementOrder a new element goes first, as upstream's ordering puts it.
      addresses: [
        { type: "Hostname", address: "node-1" },
        { type: "InternalIP", address: "10.0.0.1" },
      ],
    });
  });
});

describe("strategicMergePatch: lists and directives", () => {
  const tolerations = [{ key: "a", operator: "Exists" }];

  it.each<{ name: string; spec: JsonObject; patch: JsonObject; want: JsonObject }>([
    {
      name: "an untagged list of maps (tolerations) is replaced whole",
      spec: { tolerations },
      patch: { tolerations: [{ key: "b", operator: "Exists" }] },
      want: { tolerations: [{ key: "b", operator: "Exists" }] },
    },
    {
      name: "an untagged list of primitives (args) is replaced whole",
      spec: { containers: [container("web", { args: ["-a", "-b"] })] },
      patch: { containers: [{ name: "web", args: ["-c"] }] },
      want: { containers: [container("web", { args: ["-c"] })] },
    },
    {
      name: "a new element of a merging list without $setElementOrder goes first (the kubectl patch docs show it)",
      spec: { containers: [container("web")] },
      patch: { containers: [{ name: "log", image: "log:1" }] },
      want: { containers: [{ name: "log", image: "log:1" }, container("web")] },
    },
    {
      name: "$patch: replace in a list makes the list exactly the patch's other elements",
      spec: { containers: [container("web"), container("log")] },
      patch: { containers: [{ name: "only", image: "only:1" }, { $patch: "replace" }] },
      want: { containers: [{ name: "only", image: "only:1" }] },
    },
    {
      name: "$patch: delete of an element the list does not hold changes nothing",
      spec: { containers: [container("web")] },
      patch: { containers: [{ name: "gone", $patch: "delete" }] },
      want: { containers: [container("web")] },
    },
    {
      name: "$patch: replace on a map stands for the map as given",
      spec: { containers: [container("web")], securityContext: { runAsUser: 1000, fsGroup: 2000 } },
      patch: { securityContext: { $patch: "replace", runAsNonRoot: true } },
      want: { containers: [container("web")], securityContext: { runAsNonRoot: true } },
    },
    {
      name: "$patch: delete on a map empties it",
      spec: { containers: [container("web")], nodeSelector: { disk: "ssd" } },
      patch: { nodeSelector: { $patch: "delete" } },
      want: { containers: [container("web")], nodeSelector: {} },
    },
    {
      name: "a null inside a value new to the object is dropped, not stored",
      spec: { containers: [container("web")] },
      patch: { nodeSelector: { disk: "ssd", zone: null } },
      want: { containers: [container("web")], nodeSelector: { disk: "ssd" } },
    },
    {
      name: "a $patch: delete element inside a new list is dropped",
      spec: { containers: [container("web")] },
      patch: { containers: [{ name: "web", env: [{ name: "A", value: "1" }, { name: "B", $patch: "delete" }] }] },
      want: { containers: [container("web", { env: [{ name: "A", value: "1" }] })] },
    },
    {
      name: "a value of another type replaces the original",
      spec: { containers: [container("web")], hostname: "a" },
      patch: { hostname: { nested: true } },
      want: { containers: [container("web")], hostname: { nested: true } },
    },
  ])("$name", ({ spec, patch, want }) => {
    expect(strategicMergePatch(pod(spec), { spec: patch }, "Pod")["spec"]).toEqual(want);
  });

  // Upstream's mergingIntList cases, with metadata.finalizers (patchStrategy merge, no merge key).
  it.each<{ name: string; finalizers: string[] | undefined; patch: JsonObject; want: string[] | undefined }>([
    { name: "a merging primitive list unions the patch in", finalizers: ["a", "b"], patch: { finalizers: ["b", "c"] }, want: ["a", "b", "c"] },
    {
      name: "$deleteFromPrimitiveList deletes the item",
      finalizers: ["a", "b", "c"],
      patch: { "$deleteFromPrimitiveList/finalizers": ["b"] },
      want: ["a", "c"],
    },
    {
      name: "$deleteFromPrimitiveList of an item the list lacks does not add it",
      finalizers: ["a", "b"],
      patch: { "$deleteFromPrimitiveList/finalizers": ["c"] },
      want: ["a", "b"],
    },
    {
      name: "$deleteFromPrimitiveList on a missing list does not add the list",
      finalizers: undefined,
      patch: { "$deleteFromPrimitiveList/finalizers": ["c"] },
      want: undefined,
    },
    {
      name: "add and delete with $setElementOrder (upstream's three-way output)",
      finalizers: ["a", "b", "c", "d"],
      patch: { "$setElementOrder/finalizers": ["a", "b", "d"], "$deleteFromPrimitiveList/finalizers": ["c"] },
      want: ["a", "b", "d"],
    },
    {
      name: "$setElementOrder orders a primitive list, a server-only item stays last (upstream's int list case)",
      finalizers: ["1", "3", "4", "2", "9"],
      patch: { "$setElementOrder/finalizers": ["4", "2", "3", "1"] },
      want: ["4", "2", "3", "1", "9"],
    },
    {
      name: "a server-only item goes before the first patch item it preceded in the live list",
      finalizers: ["a", "x", "b", "c"],
      patch: { "$setElementOrder/finalizers": ["c", "b", "a"], finalizers: ["c"] },
      want: ["x", "c", "b", "a"],
    },
  ])("$name", ({ finalizers, patch, want }) => {
    const current = pod({}, finalizers === undefined ? {} : { finalizers });
    expect((strategicMergePatch(current, { metadata: patch }, "Pod")["metadata"] as JsonObject)["finalizers"]).toEqual(want);
  });

  it("$deleteFromPrimitiveList deletes from an untagged list too, as upstream does", () => {
    const current = pod({ containers: [container("web", { args: ["-a", "-b", "-c"] })] });
    const patch = { spec: { containers: [{ name: "web", "$deleteFromPrimitiveList/args": ["-b"] }] } };
    expect(strategicMergePatch(current, patch, "Pod")["spec"]).toEqual({ containers: [container("web", { args: ["-a", "-c"] })] });
  });

  it("merges ownerReferences by uid", () => {
    const owner = { apiVersion: "apps/v1", kind: "ReplicaSet", name: "web-1", uid: "u1", controller: true };
    const current = pod({}, { ownerReferences: [owner] });
    const patch = { metadata: { ownerReferences: [{ uid: "u1", blockOwnerDeletion: true }, { uid: "u2", kind: "Node", name: "n", apiVersion: "v1" }] } };
    expect((strategicMergePatch(current, patch, "Pod")["metadata"] as JsonObject)["ownerReferences"]).toEqual([
      { ...owner, blockOwnerDeletion: true },
      { uid: "u2", kind: "Node", name: "n", apiVersion: "v1" },
    ]);
  });

  it("merges a ConfigMap's data key by key and deletes a key set to null", () => {
    const current = { kind: "ConfigMap", metadata: { name: "settings" }, data: { a: "1", b: "2" } };
    expect(strategicMergePatch(current, { data: { b: null, c: "3" } }, "ConfigMap")["data"]).toEqual({ a: "1", c: "3" });
  });

  it("upstream's ordering: $setElementOrder first, then the patch's order, server-only items by the live list", () => {
    // Upstream's "set elements order in a list with server-only items 3".
    const current = pod({ containers: ["1", "2", "7", "9", "8", "3", "4"].map((n) => container(n)) });
    const patch = { spec: { "$setElementOrder/containers": ["2", "1", "4", "3"].map((name) => ({ name })) } };
    expect(names((strategicMergePatch(current, patch, "Pod")["spec"] as JsonObject)["containers"])).toEqual(["2", "1", "7", "9", "8", "4", "3"]);
  });

  // Upstream's customStrategicMergePatchTestCaseData, with containers for mergingList.
  it.each<{ name: string; containers: JsonObject[]; patch: JsonObject[]; want: JsonObject[] }>([
    {
      name: "delete all duplicate entries in a merging list",
      containers: [{ name: "1" }, { name: "1" }, { name: "2", image: "a" }, { name: "3" }, { name: "3" }],
      patch: [
        { name: "1", $patch: "delete" },
        { name: "3", $patch: "delete" },
      ],
      want: [{ name: "2", image: "a" }],
    },
    { name: "delete all items from merging list", containers: [{ name: "1" }, { name: "2" }], patch: [{ $patch: "replace" }], want: [] },
    {
      name: "preserve the order from the patch in a merging list",
      containers: [{ name: "1" }, { name: "2", image: "b" }, { name: "3" }],
      patch: [{ name: "3", image: "c" }, { name: "1", image: "a" }, { name: "2", workingDir: "x" }],
      want: [{ name: "3", image: "c" }, { name: "1", image: "a" }, { name: "2", image: "b", workingDir: "x" }],
    },
    {
      name: "preserve the order from the patch in a merging list 2",
      containers: [{ name: "1" }, { name: "2", image: "b" }, { name: "3" }],
      patch: [{ name: "3", image: "c" }, { name: "1", image: "a" }],
      want: [{ name: "2", image: "b" }, { name: "3", image: "c" }, { name: "1", image: "a" }],
    },
  ])("$name", ({ containers, patch, want }) => {
    expect((strategicMergePatch(pod({ containers }), { spec: { containers: patch } }, "Pod")["spec"] as JsonObject)["containers"]).toEqual(want);
  });

  it("$patch: replace at the top stands for the whole object as given (upstream's add key and delete all keys from map)", () => {
    const current = { kind: "ConfigMap", metadata: { name: "settings" }, data: { a: "1" } };
    const patch = { $patch: "replace", kind: "ConfigMap", metadata: { name: "settings" }, data: { b: "2" } };
    expect(strategicMergePatch(current, patch, "ConfigMap")).toEqual({ kind: "ConfigMap", metadata: { name: "settings" }, data: { b: "2" } });
  });

  it("leaves its arguments unmodified", () => {
    const current = pod({ containers: [container("web"), container("log")] }, { labels: { a: "1" } });
    const patch = { metadata: { labels: { a: null } }, spec: { containers: [{ name: "log", $patch: "delete" }] } };
    const before = structuredClone({ current, patch });
    strategicMergePatch(current, patch, "Pod");
    expect({ current, patch }).toEqual(before);
  });
});

describe("strategicMergePatch: malformed patches", () => {
  it.each<{ name: string; kind?: string; patch: JsonObject; error: string }>([
    {
      name: "a merging list element without its merge key",
      patch: { spec: { containers: [{ image: "web:2" }] } },
      error: 'spec.containers[0]: Invalid value {"image":"web:2"}: does not contain declared merge key: name',
    },
    {
      name: "a $patch: delete element without its merge key",
      patch: { spec: { containers: [{ $patch: "delete" }] } },
      error: 'spec.containers[0]: Invalid value {"$patch":"delete"}: does not contain declared merge key: name',
    },
    {
      name: "an unknown $patch in a map",
      patch: { spec: { securityContext: { $patch: "remove" } } },
      error: 'spec.securityContext.$patch: Unsupported value "remove": supported values: "replace", "delete"',
    },
    {
      name: "$patch: merge in a list",
      patch: { spec: { containers: [{ name: "web", $patch: "merge" }] } },
      error: 'spec.containers[0].$patch: Invalid value "merge": merging lists cannot yet be specified in the patch',
    },
    {
      name: "a $retainKeys list that misses a patched field",
      kind: "Deployment",
      patch: { spec: { strategy: { $retainKeys: ["type"], type: "RollingUpdate", rollingUpdate: { maxSurge: 1 } } } },
      error: `spec.strategy.$retainKeys: Invalid value ["type"]: patch content doesn't match retainKeys list: "rollingUpdate" is not in it`,
    },
    {
      name: "a patch list in another order than its $setElementOrder",
      patch: { spec: { "$setElementOrder/containers": [{ name: "web" }, { name: "log" }], containers: [{ name: "log" }, { name: "web" }] } },
      error: "spec.$setElementOrder/containers: Invalid value [{\"name\":\"web\"},{\"name\":\"log\"}]: the order in the patch list doesn't match the $setElementOrder list",
    },
    {
      name: "a directive prefix without its field",
      patch: { metadata: { $deleteFromPrimitiveListfinalizers: ["a"] } },
      error: 'metadata.$deleteFromPrimitiveListfinalizers: Invalid value "$deleteFromPrimitiveListfinalizers": invalid patch format of primitive list: must be $deleteFromPrimitiveList/<field>',
    },
    {
      name: "a list of lists",
      patch: { metadata: { finalizers: [["a"]] } },
      error: 'metadata.finalizers: Invalid value ["a",["a"]]: lists of lists are not supported',
    },
    {
      name: "a __proto__ key",
      patch: JSON.parse('{"spec": {"__proto__": {"polluted": true}}}') as JsonObject,
      error: "spec.__proto__: Forbidden: not a field of any Kubernetes object",
    },
    {
      name: "a kind Capstan does not serve",
      kind: "Widget",
      patch: {},
      error: 'kind: Unsupported value "Widget"',
    },
  ])("$name is refused with the field and the rule", ({ kind = "Pod", patch, error }) => {
    const current = pod({ containers: [container("web"), container("log")], securityContext: {} }, { finalizers: ["a"] });
    if (kind === "Deployment") Object.assign(current, deployment({}, { strategy: { type: "Recreate" } }));
    let thrown: unknown;
    try {
      strategicMergePatch(current, patch, kind);
    } catch (e) {
      thrown = e;
    }
    expect(isCapstanError(thrown, "Invalid")).toBe(true);
    expect((thrown as Error).message).toContain(error);
  });
});

describe("strategicMergePatch on the shared example manifests", () => {
  it.each(kubernetesExamples)("$name: patching with itself changes nothing, as a repeated kubectl patch", ({ manifest }) => {
    expect(strategicMergePatch(manifest, manifest, String(manifest["kind"]))).toEqual(manifest);
  });
});
