/**
 * Server-side apply, managedFields and dry runs through stock kubectl (/usr/bin/kubectl) against the
 * gateway's Kubernetes API: what kubectl prints, and what the objects hold afterwards.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestCluster, type TestCluster } from "./support/index.js";

type Json = Record<string, any>;

const NAMESPACE = "ssa";

let cluster: TestCluster;

beforeAll(async () => {
  cluster = await startTestCluster({ nodes: 1 });
  await cluster.kubectlOk(["apply", "-f", "-"], JSON.stringify({ apiVersion: "v1", kind: "Namespace", metadata: { name: NAMESPACE } }));
}, 120_000);

afterAll(async () => {
  await cluster?.stop();
});

function deployment(name: string, replicas: number): string {
  return JSON.stringify({
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name, namespace: NAMESPACE },
    spec: {
      replicas,
      selector: { matchLabels: { app: name } },
      template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: "web", image: "nginx" }] } },
    },
  });
}

async function get(kind: string, name: string): Promise<Json> {
  return JSON.parse(await cluster.kubectlOk(["get", kind, name, "-n", NAMESPACE, "-o", "json", "--show-managed-fields"])) as Json;
}

/**
 * Each managedFields entry that owns spec fields, as `manager operation [subresource]: the top-level spec
 * fields it owns` (the deployment controller's own entries own metadata and status).
 */
function managers(object: Json): string[] {
  return (object["metadata"].managedFields as Json[]).flatMap((e) => {
    if (e["fieldsV1"]["f:spec"] === undefined) return [];
    const spec = Object.keys(e["fieldsV1"]["f:spec"] ?? {}).sort();
    return `${e["manager"]} ${e["operation"]}${e["subresource"] ? ` ${e["subresource"]}` : ""}: ${spec.join(",")}`;
  });
}

/** kubectl's lines after the server's conflict message, which it adds on a 409 Conflict only. */
const REVIEW = "Please review the fields above--they currently have other managers.";

describe("kubectl apply --server-side", () => {
  const apply = (replicas: number, ...flags: string[]) => cluster.kubectl(["apply", "--server-side", ...flags, "-f", "-"], deployment("web", replicas));

  it("creates the object owned by kubectl's Apply", async () => {
    expect(await apply(2)).toMatchObject({ code: 0, stdout: "deployment.apps/web serverside-applied\n" });
    const created = await get("deployment", "web");
    expect(created["spec"].replicas).toBe(2);
    expect(managers(created)).toEqual(["kubectl Apply: f:replicas,f:selector,f:template"]);
    expect(created["metadata"].managedFields[0]).toMatchObject({ apiVersion: "apps/v1", fieldsType: "FieldsV1", time: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/) });
  });

  it("re-applied unchanged, writes nothing (a ConfigMap, which no controller writes meanwhile)", async () => {
    const configMap = JSON.stringify({ apiVersion: "v1", kind: "ConfigMap", metadata: { name: "settings", namespace: NAMESPACE }, data: { level: "debug" } });
    expect(await cluster.kubectlOk(["apply", "--server-side", "-f", "-"], configMap)).toBe("configmap/settings serverside-applied\n");
    const first = await get("configmap", "settings");
    expect(first["metadata"].managedFields).toEqual([
      { manager: "kubectl", operation: "Apply", apiVersion: "v1", time: expect.any(String), fieldsType: "FieldsV1", fieldsV1: { "f:data": { "f:level": {} } } },
    ]);
    expect(await cluster.kubectlOk(["apply", "--server-side", "-f", "-"], configMap)).toBe("configmap/settings serverside-applied\n");
    expect(await get("configmap", "settings")).toEqual(first);
    // capctl prints them as kubectl does: left out, unless asked for.
    expect(await cluster.capctlOk(["get", "configmap", "settings", "-n", NAMESPACE, "-o", "yaml"])).not.toContain("managedFields");
    expect(await cluster.capctlOk(["get", "configmap", "settings", "-n", NAMESPACE, "-o", "yaml", "--show-managed-fields"])).toMatch(/^ {2}managedFields:\n {4}- manager: kubectl\n {6}operation: Apply$/m);
  });

  it("refuses a second manager's change of .spec.replicas with kubectl's conflict message, and --force-conflicts takes it over", async () => {
    const refused = await apply(3, "--field-manager=ci");
    expect(refused.code).not.toBe(0);
    expect(refused.stderr.split("\n")[0]).toBe('error: Apply failed with 1 conflict: conflict with "kubectl": .spec.replicas');
    expect(refused.stderr).toContain(REVIEW);
    expect((await get("deployment", "web"))["spec"].replicas).toBe(2);

    expect(await apply(3, "--field-manager=ci", "--force-conflicts")).toMatchObject({ code: 0, stdout: "deployment.apps/web serverside-applied\n" });
    const forced = await get("deployment", "web");
    expect(forced["spec"].replicas).toBe(3);
    // kubectl keeps what it applied but replicas; ci owns replicas and shares the rest, applied with the same values.
    expect(managers(forced)).toEqual(["kubectl Apply: f:selector,f:template", "ci Apply: f:replicas,f:selector,f:template"]);
  });

  it("records kubectl scale as kubectl's Update through the scale subresource, shown by --show-managed-fields only", async () => {
    expect(await cluster.kubectlOk(["scale", "deployment", "web", "-n", NAMESPACE, "--replicas=5"])).toBe("deployment.apps/web scaled\n");
    const yaml = await cluster.kubectlOk(["get", "deployment", "web", "-n", NAMESPACE, "-o", "yaml", "--show-managed-fields"]);
    expect(yaml).toMatch(/^ {2}managedFields:$/m);
    expect(yaml).toMatch(/^ {2}- apiVersion: apps\/v1\n {4}fieldsType: FieldsV1\n {4}fieldsV1:\n {6}f:spec:\n {8}f:replicas: \{\}\n {4}manager: kubectl\n {4}operation: Update\n {4}subresource: scale\n/m);
    expect(await cluster.kubectlOk(["get", "deployment", "web", "-n", NAMESPACE, "-o", "yaml"])).not.toContain("managedFields");
    expect(managers(await get("deployment", "web"))).toEqual(["kubectl Apply: f:selector,f:template", "ci Apply: f:selector,f:template", "kubectl Update scale: f:replicas"]);

    // Scaled away from what ci applied, replicas is the scale's now: ci's apply conflicts with that Update.
    const refused = await apply(3, "--field-manager=ci");
    expect(refused.stderr.split("\n")[0]).toBe('error: Apply failed with 1 conflict: conflict with "kubectl" with subresource "scale" using apps/v1: .spec.replicas');
  });

  it("conflicts with the client-side apply that created an object, in the apiserver's words", async () => {
    expect(await cluster.kubectlOk(["apply", "-f", "-"], deployment("legacy", 1))).toBe("deployment.apps/legacy created\n");
    expect(managers(await get("deployment", "legacy"))).toEqual([expect.stringMatching(/^kubectl-client-side-apply Update: .*f:replicas/)]);
    const refused = await cluster.kubectl(["apply", "--server-side", "-f", "-"], deployment("legacy", 2));
    expect(refused.stderr.split("\n")[0]).toBe('error: Apply failed with 1 conflict: conflict with "kubectl-client-side-apply" using apps/v1: .spec.replicas');
    expect(refused.stderr).toContain(REVIEW);
  });
});

describe("dry runs", () => {
  it("apply --dry-run=server answers the applied object and changes nothing", async () => {
    const before = await get("deployment", "web");
    const out = await cluster.kubectlOk(["apply", "--server-side", "--force-conflicts", "--dry-run=server", "-f", "-", "-o", "json"], deployment("web", 9));
    expect((JSON.parse(out) as Json)["spec"].replicas).toBe(9);
    const after = await get("deployment", "web");
    expect(after["spec"].replicas).toBe(before["spec"].replicas);
    expect(after["metadata"].resourceVersion).toBe(before["metadata"].resourceVersion);
  });

  it("create --dry-run=server -o yaml prints the defaulted object, and nothing is created", async () => {
    const configMap = JSON.stringify({ apiVersion: "v1", kind: "ConfigMap", metadata: { name: "draft", namespace: NAMESPACE }, data: { a: "1" } });
    const yaml = await cluster.kubectlOk(["create", "--dry-run=server", "-o", "yaml", "-f", "-"], configMap);
    expect(yaml).toMatch(/^kind: ConfigMap$/m);
    expect(yaml).toMatch(/^ {2}name: draft$/m);
    expect(yaml).toMatch(/^ {2}uid: \S+$/m);
    expect(yaml).not.toMatch(/resourceVersion/);
    const r = await cluster.kubectl(["get", "configmap", "draft", "-n", NAMESPACE]);
    expect(r.code).not.toBe(0);
    expect(r.stderr.trim()).toBe('Error from server (NotFound): configmaps "draft" not found');
  });

  it("delete --dry-run=server and scale --dry-run=server leave the object as it was", async () => {
    const before = await get("deployment", "legacy");
    expect(await cluster.kubectlOk(["delete", "deployment", "legacy", "-n", NAMESPACE, "--dry-run=server"])).toBe('deployment.apps "legacy" deleted (server dry run)\n');
    expect(await cluster.kubectlOk(["scale", "deployment", "legacy", "-n", NAMESPACE, "--replicas=4", "--dry-run=server"])).toBe("deployment.apps/legacy scaled (server dry run)\n");
    const after = await get("deployment", "legacy");
    expect(after["metadata"].resourceVersion).toBe(before["metadata"].resourceVersion);
    expect(after["spec"].replicas).toBe(1);
    expect(after["metadata"].deletionTimestamp).toBeUndefined();
  });
});

describe("write options over HTTP", () => {
  const post = (query: string, contentType = "application/json", method = "POST", path = `/api/v1/namespaces/${NAMESPACE}/configmaps`) =>
    fetch(`${cluster.kubeApi}${path}${query}`, {
      method,
      headers: { "Content-Type": contentType },
      body: JSON.stringify({ apiVersion: "v1", kind: "ConfigMap", metadata: { name: "opts", namespace: NAMESPACE } }),
    });

  it("refuses an unknown dryRun value with 422 naming it, as the apiserver validates CreateOptions", async () => {
    const res = await post("?dryRun=Yes");
    expect(res.status).toBe(422);
    expect(await res.json()).toMatchObject({
      kind: "Status",
      reason: "Invalid",
      message: 'CreateOptions.meta.k8s.io "" is invalid: dryRun: Unsupported value "Yes": supported values: "All"',
    });
  });

  it("refuses an apply patch without a fieldManager (422), and answers a conflict as a 409 Status with its causes", async () => {
    const path = `/api/v1/namespaces/${NAMESPACE}/configmaps/opts`;
    const missing = await post("", "application/apply-patch+yaml", "PATCH", path);
    expect(missing.status).toBe(422);
    expect(((await missing.json()) as Json)["message"]).toBe('PatchOptions.meta.k8s.io "" is invalid: fieldManager: Required value: is required for apply patch');

    const created = await post("?fieldManager=one", "application/apply-patch+yaml", "PATCH", path);
    expect(created.status).toBe(201);
    const apply = (manager: string, data: Json) =>
      fetch(`${cluster.kubeApi}${path}?fieldManager=${manager}`, {
        method: "PATCH",
        headers: { "Content-Type": "application/apply-patch+yaml" },
        body: `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: opts\ndata:\n${Object.entries(data).map(([k, v]) => `  ${k}: "${String(v)}"\n`).join("")}`,
      });
    expect((await apply("one", { a: "1", b: "2" })).status).toBe(200);
    const conflict = await apply("two", { a: "x", b: "y" });
    expect(conflict.status).toBe(409);
    expect(await conflict.json()).toEqual({
      kind: "Status",
      apiVersion: "v1",
      metadata: {},
      status: "Failure",
      reason: "Conflict",
      code: 409,
      message: 'Apply failed with 2 conflicts: conflicts with "one":\n- .data.a\n- .data.b',
      details: {
        causes: [
          { reason: "FieldManagerConflict", message: 'conflict with "one"', field: ".data.a" },
          { reason: "FieldManagerConflict", message: 'conflict with "one"', field: ".data.b" },
        ],
      },
    });
  });
});
