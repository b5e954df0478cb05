import { describe, expect, it } from "vitest";
import type { JsonObject } from "@capstan/apimachinery";
import { kubernetesExamples } from "../testing/kubernetes-examples.js";
import { applyConflictCauses, applyConflictMessage, serverSideApply, updateManagedFields, type ApplyResult, type ManagedFieldsEntry } from "./server-side-apply.js";

const now = new Date("2026-12-03T16:00:00.123Z");
const later = new Date("2026-12-03T17:00:00.000Z");

/** What `kubectl apply --server-side` sends for a Deployment. */
function deploymentConfig(opts: { replicas?: number; image?: string; labels?: JsonObject; containers?: JsonObject[] } = {}): JsonObject {
  return {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name: "web", namespace: "default", ...(opts.labels ? { labels: opts.labels } : {}) },
    spec: {
      ...(opts.replicas === undefined ? {} : { replicas: opts.replicas }),
      selector: { matchLabels: { app: "web" } },
      template: {
        metadata: { labels: { app: "web" } },
        spec: { containers: opts.containers ?? [{ name: "web", image: opts.image ?? "web:1" }] },
      },
    },
  };
}

function applied(result: ApplyResult): JsonObject {
  if (!("object" in result)) throw new Error(`unexpected conflicts: ${applyConflictMessage(result.conflicts)}`);
  return result.object;
}

function managedFields(object: JsonObject): ManagedFieldsEntry[] {
  return (object["metadata"] as { managedFields: ManagedFieldsEntry[] }).managedFields;
}

function spec(object: JsonObject): JsonObject {
  return object["spec"] as JsonObject;
}

const apply = (current: JsonObject | undefined, config: JsonObject, manager = "kubectl", force = false): ApplyResult =>
  serverSideApply(current, config, manager, { force, now }, "Deployment");

describe("serverSideApply", () => {
  it("creates the object and records the applier's fields in FieldsV1", () => {
    const object = applied(apply(undefined, deploymentConfig({ replicas: 2 })));
    expect(spec(object)["replicas"]).toBe(2);
    expect(managedFields(object)).toEqual([
      {
        manager: "kubectl",
        operation: "Apply",
        apiVersion: "apps/v1",
        time: "2026-12-03T16:00:00Z",
        fieldsType: "FieldsV1",
        fieldsV1: {
          "f:spec": {
            "f:replicas": {},
            // LabelSelector is +structType=atomic: owned whole.
            "f:selector": {},
            "f:template": {
              "f:metadata": { "f:labels": { "f:app": {} } },
              "f:spec": { "f:containers": { 'k:{"name":"web"}': { ".": {}, "f:image": {}, "f:name": {} } } },
            },
          },
        },
      },
    ]);
  });

  it("refuses to change a field another manager owns, with the apiserver's message", () => {
    const current = updateManagedFields(undefined, { ...deploymentConfig({ replicas: 2 }) }, "kubectl-client-side-apply", "Deployment", now);
    const result = apply(current, deploymentConfig({ replicas: 3 }));
    expect(result).toEqual({ conflicts: [{ manager: "kubectl-client-side-apply", operation: "Update", apiVersion: "apps/v1", field: ".spec.replicas" }] });
    if ("conflicts" in result) {
      expect(applyConflictMessage(result.conflicts)).toBe('Apply failed with 1 conflict: conflict with "kubectl-client-side-apply" using apps/v1: .spec.replicas');
      expect(applyConflictCauses(result.conflicts)).toEqual([{ reason: "FieldManagerConflict", message: 'conflict with "kubectl-client-side-apply" using apps/v1', field: ".spec.replicas" }]);
    }
  });

  it("names a keyed list item in a conflict's path", () => {
    const current = applied(apply(undefined, deploymentConfig({ image: "web:1" }), "ci"));
    const result = apply(current, deploymentConfig({ image: "web:2" }), "kubectl");
    expect(result).toEqual({ conflicts: [{ manager: "ci", operation: "Apply", apiVersion: "apps/v1", field: '.spec.template.spec.containers[name="web"].image' }] });
  });

  it("lists several conflicts by manager", () => {
    const current = applied(apply(undefined, deploymentConfig({ replicas: 1, image: "web:1" }), "ci"));
    const result = apply(current, deploymentConfig({ replicas: 5, image: "web:2" }), "kubectl");
    if (!("conflicts" in result)) throw new Error("expected conflicts");
    expect(applyConflictMessage(result.conflicts)).toBe(
      'Apply failed with 2 conflicts: conflicts with "ci":\n- .spec.replicas\n- .spec.template.spec.containers[name="web"].image',
    );
  });

  it("shares a field another manager owns when the applied value is the same", () => {
    const current = applied(apply(undefined, deploymentConfig({ replicas: 2 }), "ci"));
    const object = applied(apply(current, deploymentConfig({ replicas: 2 }), "kubectl"));
    expect(managedFields(object).map((e) => [e.manager, "f:replicas" in (e.fieldsV1["f:spec"] as JsonObject)])).toEqual([
      ["ci", true],
      ["kubectl", true],
    ]);
  });

  it("with force takes the conflicting field over from the other manager", () => {
    const current = updateManagedFields(undefined, deploymentConfig({ replicas: 2 }), "kube-controller-manager", "Deployment", now);
    const object = applied(apply(current, deploymentConfig({ replicas: 3 }), "kubectl", true));
    expect(spec(object)["replicas"]).toBe(3);
    const [controller, kubectl] = managedFields(object);
    expect(controller?.manager).toBe("kube-controller-manager");
    expect(controller?.fieldsV1["f:spec"]).not.toHaveProperty("f:replicas");
    expect(kubectl?.fieldsV1["f:spec"]).toHaveProperty("f:replicas");
  });

  it("removes a field the applier applied before and leaves out now", () => {
    const first = applied(apply(undefined, deploymentConfig({ labels: { app: "web", tier: "front" } })));
    const object = applied(apply(first, deploymentConfig({ labels: { app: "web" } })));
    expect((object["metadata"] as JsonObject)["labels"]).toEqual({ app: "web" });
  });

  it("keeps a left-out field that another manager also owns", () => {
    const first = applied(apply(undefined, deploymentConfig({ labels: { app: "web", tier: "front" } })));
    const shared = applied(apply(first, deploymentConfig({ labels: { tier: "front" } }), "ci"));
    const object = applied(apply(shared, deploymentConfig({ labels: { app: "web" } })));
    expect((object["metadata"] as JsonObject)["labels"]).toEqual({ app: "web", tier: "front" });
  });

  it("merges a map-type list by key: another manager's container stays, the applier's own removed item goes", () => {
    const withTwo = applied(apply(undefined, deploymentConfig({ containers: [{ name: "web", image: "web:1" }, { name: "log", image: "log:1" }] })));
    const sidecar = { apiVersion: "apps/v1", kind: "Deployment", metadata: { name: "web" }, spec: { template: { spec: { containers: [{ name: "mesh", image: "mesh:1" }] } } } };
    const withSidecar = applied(apply(withTwo, sidecar, "mesh-injector"));
    const object = applied(apply(withSidecar, deploymentConfig({ containers: [{ name: "web", image: "web:1" }] })));
    const containers = ((spec(object)["template"] as JsonObject)["spec"] as JsonObject)["containers"];
    expect(containers).toEqual([
      { name: "web", image: "web:1" },
      { name: "mesh", image: "mesh:1" },
    ]);
  });

  it("orders a map-type list as structured-merge-diff does: applied order, another manager's item after its predecessor", () => {
    const containers = (...names: string[]): JsonObject[] => names.map((name) => ({ name, image: `${name}:1` }));
    const first = applied(apply(undefined, deploymentConfig({ containers: containers("a", "c") })));
    const injected = { apiVersion: "apps/v1", kind: "Deployment", metadata: { name: "web" }, spec: { template: { spec: { containers: containers("b") } } } };
    const withB = applied(apply(first, injected, "injector"));
    const object = applied(apply(withB, deploymentConfig({ containers: containers("c", "a") })));
    const names = (((spec(object)["template"] as JsonObject)["spec"] as JsonObject)["containers"] as JsonObject[]).map((c) => c["name"]);
    expect(names).toEqual(["c", "b", "a"]);
  });

  it("identifies a port that leaves out its protocol by the default TCP, as the stored (defaulted) port", () => {
    const config = deploymentConfig({ containers: [{ name: "web", image: "web:1", ports: [{ containerPort: 80 }] }] });
    const created = applied(apply(undefined, config));
    const stored = structuredClone(created);
    // What defaulting does to the stored object.
    ((((spec(stored)["template"] as JsonObject)["spec"] as JsonObject)["containers"] as JsonObject[])[0]!["ports"] as JsonObject[])[0]!["protocol"] = "TCP";
    const object = applied(apply(stored, config));
    const ports = (((spec(object)["template"] as JsonObject)["spec"] as JsonObject)["containers"] as JsonObject[])[0]!["ports"];
    expect(ports).toEqual([{ containerPort: 80, protocol: "TCP" }]);
    const containerFields = ((((managedFields(object)[0]!.fieldsV1["f:spec"] as JsonObject)["f:template"] as JsonObject)["f:spec"] as JsonObject)["f:containers"] as JsonObject)['k:{"name":"web"}'];
    expect(containerFields).toHaveProperty(["f:ports", 'k:{"containerPort":80,"protocol":"TCP"}'], { ".": {}, "f:containerPort": {} });
  });

  it("replaces an atomic list whole and unions a set", () => {
    const config = (tolerations: JsonObject[], finalizers: string[]): JsonObject => ({
      apiVersion: "v1",
      kind: "Pod",
      metadata: { name: "p", finalizers },
      spec: { containers: [{ name: "c", image: "c:1" }], tolerations },
    });
    const first = applied(serverSideApply(undefined, config([{ key: "a", operator: "Exists" }], ["x"]), "a", { force: false, now }, "Pod"));
    const object = applied(serverSideApply(first, config([{ key: "b", operator: "Exists" }], ["y"]), "b", { force: true, now }, "Pod"));
    expect(spec(object)["tolerations"]).toEqual([{ key: "b", operator: "Exists" }]);
    expect((object["metadata"] as JsonObject)["finalizers"]).toEqual(["x", "y"]);
    expect(managedFields(object).map((e) => e.fieldsV1["f:metadata"])).toEqual([{ "f:finalizers": { 'v:"x"': {} } }, { "f:finalizers": { 'v:"y"': {} } }]);
  });

  it("refuses a __proto__ key in the applied configuration", () => {
    const current = applied(apply(undefined, deploymentConfig()));
    const config = { ...deploymentConfig(), spec: JSON.parse('{"__proto__": {"replicas": 9}}') as JsonObject };
    expect(() => apply(current, config)).toThrow("spec.__proto__: Forbidden: not a field of any Kubernetes object");
  });

  it("never applies status on the main resource", () => {
    const current = applied(apply(undefined, deploymentConfig()));
    const object = applied(apply({ ...current, status: { replicas: 1 } }, { ...deploymentConfig(), status: { replicas: 9 } }));
    expect(object["status"]).toEqual({ replicas: 1 });
  });
});

describe("updateManagedFields", () => {
  it("gives the updater the fields it changed and takes them from the applier", () => {
    const current = applied(apply(undefined, deploymentConfig({ replicas: 2 })));
    const scaled = structuredClone(current);
    spec(scaled)["replicas"] = 5;
    const object = updateManagedFields(current, scaled, "hpa-controller", "Deployment", later);
    const [kubectl, hpa] = managedFields(object);
    expect(kubectl?.fieldsV1["f:spec"]).not.toHaveProperty("f:replicas");
    expect(hpa).toEqual({ manager: "hpa-controller", operation: "Update", apiVersion: "apps/v1", time: "2026-12-03T17:00:00Z", fieldsType: "FieldsV1", fieldsV1: { "f:spec": { "f:replicas": {} } } });
    // The applier now conflicts with the controller on replicas, and only there.
    expect(apply(object, deploymentConfig({ replicas: 2 }))).toEqual({ conflicts: [{ manager: "hpa-controller", operation: "Update", apiVersion: "apps/v1", field: ".spec.replicas" }] });
  });

  it("drops an owner's fields that the object no longer has", () => {
    const current = applied(apply(undefined, deploymentConfig({ labels: { app: "web" } })));
    const unlabelled = structuredClone(current);
    delete (unlabelled["metadata"] as JsonObject)["labels"];
    const object = updateManagedFields(current, unlabelled, "editor", "Deployment", later);
    expect(managedFields(object)[0]?.fieldsV1).not.toHaveProperty("f:metadata");
  });
});

describe("serverSideApply on the shared example manifests", () => {
  it.each(kubernetesExamples)("$name: creates, re-applies unchanged and shares with a second applier", ({ manifest }) => {
    const kind = String(manifest["kind"]);
    const created = applied(serverSideApply(undefined, manifest, "kubectl", { force: false, now }, kind));
    const { managedFields: entries = [], ...metadata } = created["metadata"] as { managedFields?: ManagedFieldsEntry[] };
    expect({ ...created, metadata }).toEqual(manifest);
    // A manifest that sets nothing but its name owns nothing, and no entry is kept for nothing.
    expect(entries.map((e) => e.manager)).toEqual(kind === "Namespace" ? [] : ["kubectl"]);
    expect(applied(serverSideApply(created, manifest, "kubectl", { force: false, now }, kind))).toEqual(created);
    const shared = applied(serverSideApply(created, manifest, "ci", { force: false, now }, kind));
    const sharedEntries = (shared["metadata"] as { managedFields?: ManagedFieldsEntry[] }).managedFields ?? [];
    expect(sharedEntries.map((e) => [e.manager, e.fieldsV1])).toEqual(entries.flatMap((e) => [["kubectl", e.fieldsV1], ["ci", e.fieldsV1]]));
  });
});
