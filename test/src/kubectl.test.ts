/**
 * Stock kubectl (/usr/bin/kubectl) against the gateway's Kubernetes API: every verb a user reaches for
 * first, over the same object pipeline as capctl, asserting what kubectl prints.
 */
import { spawn } from "node:child_process";
import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import { basename, join } from "node:path";
import postgres from "postgres";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { examplesDir, eventually, startTestCluster, type TestCluster } from "./support/index.js";

type Json = Record<string, any>;

let cluster: TestCluster;

/** Each example in a namespace of its own (two Pods are both named "webserver"), unless it names its own. */
const examples = readdirSync(examplesDir)
  .filter((f) => f.endsWith(".yaml"))
  .sort()
  .map((file) => {
    const text = readFileSync(join(examplesDir, file), "utf8");
    return { file, path: join(examplesDir, file), namespace: /^\s+namespace:/m.test(text) ? undefined : `ex-${basename(file, ".yaml")}` };
  });

/** What kubectl prints for each object of a manifest: `deployment.apps/my-deployment`. */
const objectsOf: Record<string, string[]> = {
  "daemonset.yaml": ["daemonset.apps/log-shipper"],
  "deployment.yaml": ["deployment.apps/my-deployment"],
  "hpa.yaml": ["namespace/myapp-ns", "deployment.apps/mydeploy"],
  "pod.yaml": ["pod/myapp"],
  "pv-pvc.yaml": ["persistentvolume/pv", "persistentvolumeclaim/pvc"],
  "service.yaml": ["service/my-service"],
  "shared-volume-pod.yaml": ["pod/mc1"],
  "statefulset.yaml": ["service/nginx", "statefulset.apps/web"],
  "two-container-pod.yaml": ["pod/webserver"],
  "webserver-pod.yaml": ["pod/webserver"],
};

function applyArgs(e: (typeof examples)[number], path = e.path): string[] {
  // hpa.yaml's HorizontalPodAutoscaler is a kind Capstan does not serve: kubectl would look for its
  // schema in the protobuf OpenAPI v2 document, which Capstan does not serve, before saying so plainly.
  const validate = e.file === "hpa.yaml" ? ["--validate=false"] : [];
  return ["apply", ...validate, ...(e.namespace ? ["-n", e.namespace] : []), "-f", path];
}

async function json(args: string[]): Promise<Json> {
  return JSON.parse(await cluster.kubectlOk([...args, "-o", "json"])) as Json;
}

async function podRunning(namespace: string, name: string): Promise<void> {
  await eventually(async () => {
    const pod = await json(["get", "pod", name, "-n", namespace]);
    if (pod["status"]?.phase !== "Running") throw new Error(`pod ${name} is ${pod["status"]?.phase}`);
    return true;
  });
}

beforeAll(async () => {
  // pod.yaml's image is not in the process runtime's catalog: the nodes hold it (as pause, which stays
  // up), so the pod this file reads, labels and watches runs; `example/web` (any tag) is nginx.
  cluster = await startTestCluster({ nodes: 2, images: { "punitporwal07/myapp": { image: "pause" }, "example/web": { image: "nginx" } } });
  // Applied rather than `kubectl create namespace`, whose typed client sends protobuf, which the API does not read.
  const namespaces = examples.flatMap((e) => (e.namespace ? [`apiVersion: v1\nkind: Namespace\nmetadata:\n  name: ${e.namespace}\n`] : []));
  await cluster.kubectlOk(["apply", "-f", "-"], namespaces.join("---\n"));
}, 120_000);

afterAll(async () => {
  await cluster?.stop();
});

describe("kubectl against the Kubernetes API", () => {
  it("api-resources lists every kind with its group, short names and scope", async () => {
    const out = await cluster.kubectlOk(["api-resources"]);
    expect(out.split("\n")[0]).toMatch(/^NAME\s+SHORTNAMES\s+APIVERSION\s+NAMESPACED\s+KIND$/);
    expect(out).toMatch(/^pods\s+po\s+v1\s+true\s+Pod$/m);
    expect(out).toMatch(/^nodes\s+no\s+v1\s+false\s+Node$/m);
    expect(out).toMatch(/^deployments\s+deploy\s+apps\/v1\s+true\s+Deployment$/m);
    expect(out).toMatch(/^cronjobs\s+cj\s+batch\/v1\s+true\s+CronJob$/m);
    expect(await cluster.kubectlOk(["api-resources", "--categories=all", "-o", "name"])).toBe(
      ["pods", "replicationcontrollers", "services", "daemonsets", "deployments", "replicasets", "statefulsets", "cronjobs", "jobs"].map(qualified).join("\n") + "\n",
    );
    expect((await cluster.kubectlOk(["version"])).split("\n")).toContain("Server Version: v1.32.0-capstan");
  });

  it("applies every example, then again unchanged, and an edited one configured", async () => {
    for (const e of examples) {
      const r = await cluster.kubectl(applyArgs(e));
      expect(r.stdout.trim().split("\n"), e.file).toEqual(objectsOf[e.file]!.map((o) => `${o} created`));
      if (e.file === "hpa.yaml") {
        expect(r.stderr).toContain('no matches for kind "HorizontalPodAutoscaler" in version "autoscaling/v2"');
      } else expect(r.stderr, e.file).toBe("");
    }
    for (const e of examples) {
      const r = await cluster.kubectl(applyArgs(e));
      expect(r.stdout.trim().split("\n"), e.file).toEqual(objectsOf[e.file]!.map((o) => `${o} unchanged`));
    }
    const deployment = examples.find((e) => e.file === "deployment.yaml")!;
    const edited = join(cluster.dataDir, "deployment-edited.yaml");
    writeFileSync(edited, readFileSync(deployment.path, "utf8").replace("replicas: 3", "replicas: 2"));
    expect(await cluster.kubectlOk(applyArgs(deployment, edited))).toBe("deployment.apps/my-deployment configured\n");
    expect(await cluster.kubectlOk(["get", "deployment", "my-deployment", "-n", "ex-deployment", "-o", "jsonpath={.spec.replicas}"])).toBe("2");
  });

  it("gets pods as kubectl prints them from Kubernetes: table, wide, yaml, json, name, by label, across namespaces, in chunks", async () => {
    await podRunning("ex-pod", "myapp");
    const table = (await cluster.kubectlOk(["get", "pods", "-n", "ex-pod"])).trimEnd().split("\n");
    expect(table[0]).toMatch(/^NAME\s+READY\s+STATUS\s+RESTARTS\s+AGE$/);
    expect(table.slice(1)).toEqual([expect.stringMatching(/^myapp\s+1\/1\s+Running\s+0\s+\d+s$/)]);

    const wide = (await cluster.kubectlOk(["get", "pods", "-n", "ex-pod", "-o", "wide"])).split("\n");
    expect(wide[0]).toMatch(/^NAME\s+READY\s+STATUS\s+RESTARTS\s+AGE\s+IP\s+NODE\s+NOMINATED NODE\s+READINESS GATES$/);
    expect(wide[1]).toMatch(/^myapp\s+1\/1\s+Running\s+0\s+\d+s\s+127\.\d+\.\d+\.\d+\s+node-[12]\s+<none>\s+<none>$/);

    const yaml = await cluster.kubectlOk(["get", "pod", "myapp", "-n", "ex-pod", "-o", "yaml"]);
    expect(yaml).toMatch(/^kind: Pod$/m);
    expect(yaml).toMatch(/^ {2}name: myapp$/m);
    const pod = await json(["get", "pod", "myapp", "-n", "ex-pod"]);
    expect(pod).toMatchObject({ apiVersion: "v1", kind: "Pod", metadata: { name: "myapp", namespace: "ex-pod", labels: { zones: "prod" } } });
    expect(await cluster.kubectlOk(["get", "pods", "-n", "ex-pod", "-o", "name"])).toBe("pod/myapp\n");

    const byLabel = (await cluster.kubectlOk(["get", "pods", "-A", "-l", "zones=prod"])).trimEnd().split("\n");
    expect(byLabel[0]).toMatch(/^NAMESPACE\s+NAME\s+READY\s+STATUS\s+RESTARTS\s+AGE$/);
    expect(byLabel.slice(1)).toEqual([expect.stringMatching(/^ex-pod\s+myapp\s+/)]);

    // Pages of one pod each: every page continues the list at the first page's revision.
    const all = await json(["get", "pods", "-A"]);
    const names = (all["items"] as Json[]).map((p) => `${p["metadata"].namespace}/${p["metadata"].name}`).sort();
    expect(names.length).toBeGreaterThan(3);
    const chunked = await cluster.kubectlOk(["get", "pods", "-A", "--chunk-size=1", "-o", "name"]);
    expect(chunked.trim().split("\n")).toHaveLength(names.length);
  });

  it("get -w prints the change a label makes", async () => {
    const watcher = spawn("/usr/bin/kubectl", ["--cache-dir", join(cluster.dataDir, "kube-cache"), "get", "pods", "-n", "ex-pod", "-w", "--output-watch-events"], {
      env: { ...process.env, KUBECONFIG: join(cluster.dataDir, "kubeconfig") },
    });
    let out = "";
    watcher.stdout.on("data", (d: Buffer) => (out += d.toString()));
    try {
      await eventually(() => /^ADDED\s+myapp\s+1\/1\s+Running/m.test(out));
      await cluster.kubectlOk(["label", "pod", "myapp", "-n", "ex-pod", "watched=yes"]);
      await eventually(() => /^MODIFIED\s+myapp\s+1\/1\s+Running/m.test(out));
    } finally {
      watcher.kill();
    }
  });

  it("describes a pod with its events", async () => {
    const out = await cluster.kubectlOk(["describe", "pod", "myapp", "-n", "ex-pod"]);
    expect(out).toMatch(/^Name:\s+myapp$/m);
    expect(out).toMatch(/^Namespace:\s+ex-pod$/m);
    expect(out).toMatch(/^Status:\s+Running$/m);
    expect(out).toMatch(/^Events:$/m);
    expect(out).toMatch(/Normal\s+Scheduled\s+.*Successfully assigned ex-pod\/myapp to node-[12]/);
  });

  it("waits for a condition that already holds (the watch answers before its first event)", async () => {
    expect(await cluster.kubectlOk(["wait", "--for=condition=Ready", "pod/myapp", "-n", "ex-pod", "--timeout=20s"])).toBe("pod/myapp condition met\n");
  });

  it("labels, annotates and patches (merge and JSON patch)", async () => {
    const pod = ["pod", "myapp", "-n", "ex-pod"];
    expect(await cluster.kubectlOk(["label", ...pod, "tier=web"])).toBe("pod/myapp labeled\n");
    expect(await cluster.kubectlOk(["annotate", ...pod, "owner=team-a"])).toBe("pod/myapp annotated\n");
    expect(await cluster.kubectlOk(["patch", ...pod, "--type", "merge", "-p", '{"metadata":{"labels":{"tier":null,"env":"prod"}}}'])).toBe("pod/myapp patched\n");
    expect(await cluster.kubectlOk(["patch", ...pod, "--type", "json", "-p", '[{"op":"replace","path":"/metadata/annotations/owner","value":"team-b"}]'])).toBe(
      "pod/myapp patched\n",
    );
    const patched = await json(["get", ...pod]);
    expect(patched["metadata"].labels).toEqual({ zones: "prod", version: "v1", watched: "yes", env: "prod" });
    expect(patched["metadata"].annotations["owner"]).toBe("team-b");
    const failed = await cluster.kubectl(["patch", ...pod, "--type", "json", "-p", '[{"op":"test","path":"/metadata/name","value":"other"}]']);
    expect(failed.code).not.toBe(0);
    expect(failed.stderr).toContain("Error from server (BadRequest)");
  });

  it("refuses a replace of a stale resourceVersion with kubectl's Conflict line", async () => {
    const stale = await json(["get", "pod", "myapp", "-n", "ex-pod"]);
    await cluster.kubectlOk(["label", "pod", "myapp", "-n", "ex-pod", "bumped=1"]);
    const r = await cluster.kubectl(["replace", "-f", "-"], JSON.stringify(stale));
    expect(r.code).not.toBe(0);
    expect(r.stderr.trim()).toBe(
      'Error from server (Conflict): error when replacing "STDIN": Operation cannot be fulfilled on pods "myapp": the object has been modified; please apply your changes to the latest version and try again',
    );
  });

  it("refuses an invalid object with kubectl's \"is invalid\" line naming the field", async () => {
    const r = await cluster.kubectl(["apply", "-n", "ex-pod", "-f", "-"], JSON.stringify({ apiVersion: "v1", kind: "Pod", metadata: { name: "bad" }, spec: { containers: [{ name: "a" }] } }));
    expect(r.code).not.toBe(0);
    expect(r.stderr.trim()).toBe('The Pod "bad" is invalid: spec.containers[0].image: Required value');
  });

  it("scales a deployment through its scale subresource", async () => {
    expect(await cluster.kubectlOk(["scale", "deployment", "my-deployment", "-n", "ex-deployment", "--replicas=1"])).toBe("deployment.apps/my-deployment scaled\n");
    const scale = JSON.parse(await cluster.kubectlOk(["get", "--raw", "/apis/apps/v1/namespaces/ex-deployment/deployments/my-deployment/scale"])) as Json;
    expect(scale).toMatchObject({ kind: "Scale", apiVersion: "autoscaling/v1", spec: { replicas: 1 }, status: { selector: "app=my-app" } });
    await eventually(async () => {
      const pods = await json(["get", "pods", "-n", "ex-deployment", "-l", "app=my-app"]);
      return (pods["items"] as Json[]).filter((p) => !p["metadata"].deletionTimestamp).length === 1;
    });
  });

  it("prints a container's log", async () => {
    expect(await cluster.kubectlOk(["run", "hello", "-n", "ex-pod", "--image=busybox", "--restart=Never", "--", "sh", "-c", "echo hello from capstan; sleep 3600"])).toBe(
      "pod/hello created\n",
    );
    await eventually(async () => (await cluster.kubectl(["logs", "hello", "-n", "ex-pod"])).stdout === "hello from capstan\n");
    const unknown = await cluster.kubectl(["logs", "nobody", "-n", "ex-pod"]);
    expect(unknown.stderr.trim()).toBe('error: error from server (NotFound): pods "nobody" not found in namespace "ex-pod"');
  });

  it("get all shows the workloads and services", async () => {
    const out = await cluster.kubectlOk(["get", "all", "-n", "ex-statefulset"]);
    expect(out).toMatch(/^service\/nginx\s+ClusterIP\s+None\s+/m);
    expect(out).toMatch(/^statefulset\.apps\/web\s+/m);
  });

  it("deletes a deployment with its replica sets and pods (cascade)", async () => {
    expect(await cluster.kubectlOk(["delete", "deployment", "my-deployment", "-n", "ex-deployment"])).toBe('deployment.apps "my-deployment" deleted\n');
    await eventually(async () => (await cluster.kubectlOk(["get", "replicasets,pods", "-n", "ex-deployment", "-o", "name"])) === "");
    const again = await cluster.kubectl(["delete", "deployment", "my-deployment", "-n", "ex-deployment"]);
    expect(again.stderr.trim()).toBe('Error from server (NotFound): deployments.apps "my-deployment" not found');
  });
});

describe("kubectl rollouts, strategic merge patches and explain", () => {
  const ns = ["-n", "rollouts"];
  const web = {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name: "web", namespace: "rollouts" },
    spec: {
      replicas: 2,
      selector: { matchLabels: { app: "web" } },
      template: { metadata: { labels: { app: "web" } }, spec: { terminationGracePeriodSeconds: 1, containers: [{ name: "web", image: "example/web:1" }] } },
    },
  };
  const imageOf = async () => (await json(["get", "deployment", "web", ...ns]))["spec"].template.spec.containers.map((c: Json) => c["image"]);

  beforeAll(async () => {
    await cluster.kubectlOk(["apply", "-f", "-"], JSON.stringify({ apiVersion: "v1", kind: "Namespace", metadata: { name: "rollouts" } }));
    expect(await cluster.kubectlOk(["apply", "-f", "-"], JSON.stringify(web))).toBe("deployment.apps/web created\n");
  });

  it("rollout status waits for a rollout, set image starts the next revision, history lists both, undo goes back", async () => {
    const rolledOut = 'deployment "web" successfully rolled out';
    expect(await cluster.kubectlOk(["rollout", "status", "deployment/web", ...ns, "--timeout=90s"])).toContain(rolledOut);
    expect(await cluster.kubectlOk(["set", "image", "deployment/web", "web=example/web:2", ...ns])).toBe("deployment.apps/web image updated\n");
    expect(await cluster.kubectlOk(["rollout", "status", "deployment/web", ...ns, "--timeout=90s"])).toContain(rolledOut);
    const history = (await cluster.kubectlOk(["rollout", "history", "deployment/web", ...ns])).trim().split("\n");
    expect(history.slice(0, 2)).toEqual(["deployment.apps/web ", expect.stringMatching(/^REVISION\s+CHANGE-CAUSE$/)]);
    expect(history.slice(2).map((l) => l.split(/\s+/)[0])).toEqual(["1", "2"]);
    expect(await cluster.kubectlOk(["rollout", "undo", "deployment/web", ...ns])).toBe("deployment.apps/web rolled back\n");
    expect(await imageOf()).toEqual(["example/web:1"]);
    expect(await cluster.kubectlOk(["rollout", "status", "deployment/web", ...ns, "--timeout=90s"])).toContain(rolledOut);
  }, 120_000);

  it("patches a deployment with a strategic merge patch, merging its container by name", async () => {
    const patch = { spec: { template: { spec: { containers: [{ name: "web", env: [{ name: "MODE", value: "blue" }] }] } } } };
    expect(await cluster.kubectlOk(["patch", "deployment", "web", ...ns, "-p", JSON.stringify(patch)])).toBe("deployment.apps/web patched\n");
    const [container, ...others] = (await json(["get", "deployment", "web", ...ns]))["spec"].template.spec.containers as Json[];
    expect(others).toEqual([]);
    expect(container).toMatchObject({ name: "web", image: "example/web:1", env: [{ name: "MODE", value: "blue" }] });
  });

  it("explains a field from the served OpenAPI document", async () => {
    const strategy = await cluster.kubectlOk(["explain", "deployment.spec.strategy"]);
    expect(strategy).toMatch(/^GROUP:\s+apps$/m);
    expect(strategy).toMatch(/^KIND:\s+Deployment$/m);
    expect(strategy).toMatch(/^FIELD: strategy <DeploymentStrategy>$/m);
    expect(strategy).toMatch(/^ {2}rollingUpdate\t<RollingUpdateDeployment>$/m);
    expect(await cluster.kubectlOk(["explain", "deployment.spec.strategy.rollingUpdate.maxSurge"])).toMatch(/^FIELD: maxSurge <IntOrString>$/m);
    expect(await cluster.kubectlOk(["explain", "pods.spec.containers.resources.limits"])).toMatch(/^FIELD: limits <map\[string\]Quantity>$/m);
    const unknown = await cluster.kubectl(["explain", "deployment.spec.nothing"]);
    expect(unknown.code).not.toBe(0);
    expect(unknown.stderr).toContain('field "nothing" does not exist');
  });
});

/** A request to the Kubernetes API as any HTTP client makes it; the answer's status, content type and JSON (or text). */
async function call(method: string, path: string, body?: unknown, contentType = "application/json", accept = "application/json"): Promise<{ status: number; type: string; json: Json; text: string }> {
  const res = await fetch(`${cluster.kubeApi}${path}`, {
    method,
    headers: { Accept: accept, ...(body !== undefined ? { "Content-Type": contentType } : {}) },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  const text = await res.text();
  let json: Json = {};
  try {
    json = JSON.parse(text) as Json;
  } catch {
    // A health check or a stream of lines.
  }
  return { status: res.status, type: res.headers.get("content-type") ?? "", json, text };
}

const configMap = (name: string, data: Record<string, string> = { a: "1" }) => ({ apiVersion: "v1", kind: "ConfigMap", metadata: { name, labels: { page: "yes" } }, data });
const pages = "/api/v1/namespaces/pages/configmaps";

describe("the Kubernetes API over HTTP", () => {
  beforeAll(async () => {
    expect((await call("POST", "/api/v1/namespaces", { apiVersion: "v1", kind: "Namespace", metadata: { name: "pages" } })).status).toBe(201);
    for (const name of ["cm-a", "cm-b", "cm-c"]) expect((await call("POST", pages, configMap(name))).status).toBe(201);
  });

  it("serves aggregated discovery in one answer, with the subresources that exist", async () => {
    const core = await call("GET", "/api", undefined, "", "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,application/json");
    expect(core.type).toBe("application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList");
    const pods = (core.json["items"][0].versions[0].resources as Json[]).find((r) => r["resource"] === "pods")!;
    expect(pods).toMatchObject({ scope: "Namespaced", singularResource: "pod", shortNames: ["po"], categories: ["all"] });
    expect((pods["subresources"] as Json[]).map((s) => s["subresource"])).toEqual(["status", "log", "binding", "eviction"]);
    const apps = await call("GET", "/apis/apps/v1");
    expect(apps.json["resources"]).toContainEqual({ name: "deployments/scale", singularName: "", namespaced: true, group: "autoscaling", version: "v1", kind: "Scale", verbs: ["get", "patch", "update"] });
    expect((await call("GET", "/readyz")).text).toBe("ok");
    expect((await call("GET", "/openapi/v3")).json["paths"]).toHaveProperty(["api/v1"]);
  });

  it("pages a list at the first page's revision, from the log once the list changed, and expires the token once compacted", async () => {
    const first = await call("GET", `${pages}?labelSelector=page%3Dyes&limit=2`);
    expect(first.json["items"].map((c: Json) => c["metadata"].name)).toEqual(["cm-a", "cm-b"]);
    expect(first.json["metadata"]).toMatchObject({ remainingItemCount: 1, continue: expect.any(String) });
    const token = encodeURIComponent(first.json["metadata"].continue as string);
    const second = await call("GET", `${pages}?labelSelector=page%3Dyes&limit=2&continue=${token}`);
    expect(second.json["items"].map((c: Json) => c["metadata"].name)).toEqual(["cm-c"]);
    expect(second.json["metadata"]).toEqual({ resourceVersion: first.json["metadata"].resourceVersion });

    const exactly = `${pages}?resourceVersion=${first.json["metadata"].resourceVersion}&resourceVersionMatch=Exact`;
    expect((await call("GET", exactly)).status).toBe(200);
    // Changed since the first page: the rest of the list still answers as it was then, as etcd's snapshot does.
    const cmC = (await call("GET", `${pages}/cm-c`)).json;
    expect((await call("PATCH", `${pages}/cm-c`, { data: { changed: "yes" } }, "application/merge-patch+json")).status).toBe(200);
    const asItWas = await call("GET", `${pages}?labelSelector=page%3Dyes&limit=2&continue=${token}`);
    expect(asItWas.json["items"]).toEqual([cmC]);
    expect(asItWas.json["metadata"]).toEqual({ resourceVersion: first.json["metadata"].resourceVersion });
    expect((await call("GET", exactly)).json["items"]).toContainEqual(cmC);

    await cluster.compactLog();
    const expired = await call("GET", `${pages}?labelSelector=page%3Dyes&limit=2&continue=${token}`);
    expect(expired).toMatchObject({ status: 410, json: { kind: "Status", reason: "Expired", code: 410 } });
    expect((await call("GET", exactly)).json).toMatchObject({ reason: "Expired", code: 410 });
    expect((await call("GET", `${pages}?resourceVersion=999999999&resourceVersionMatch=NotOlderThan`)).json).toMatchObject({ reason: "Timeout", code: 504 });
    expect((await call("GET", `${pages}?resourceVersionMatch=Exact`)).json).toMatchObject({
      reason: "Invalid",
      code: 422,
      details: { causes: [{ field: "resourceVersionMatch", reason: "FieldValueForbidden" }] },
    });
  });

  it("watches from a resourceVersion as JSON lines until timeoutSeconds", async () => {
    const from = (await call("GET", pages)).json["metadata"].resourceVersion as string;
    const watching = call("GET", `${pages}?watch=1&resourceVersion=${from}&timeoutSeconds=3&fieldSelector=metadata.name%3Dcm-b`);
    expect((await call("PATCH", `${pages}/cm-b`, { data: { b: "1" } }, "application/merge-patch+json")).status).toBe(200);
    expect((await call("PATCH", `${pages}/cm-c`, { data: { c: "1" } }, "application/merge-patch+json")).status).toBe(200);
    const events = (await watching).text.trim().split("\n").map((l) => JSON.parse(l) as Json);
    expect(events.map((e) => [e["type"], e["object"].metadata.name, e["object"].data])).toEqual([["MODIFIED", "cm-b", { a: "1", b: "1" }]]);
  });

  it("writes status through the status subresource, leaving the spec alone", async () => {
    const service = { apiVersion: "v1", kind: "Service", metadata: { name: "lb" }, spec: { type: "ClusterIP", ports: [{ port: 80 }] } };
    expect((await call("POST", "/api/v1/namespaces/pages/services", service)).status).toBe(201);
    const patched = await call("PATCH", "/api/v1/namespaces/pages/services/lb/status", { spec: { ports: [{ port: 81 }] }, status: { loadBalancer: { ingress: [{ ip: "10.9.8.7" }] } } }, "application/merge-patch+json");
    expect(patched.status).toBe(200);
    expect(patched.json["status"]).toEqual({ loadBalancer: { ingress: [{ ip: "10.9.8.7" }] } });
    expect(patched.json["spec"].ports).toEqual([expect.objectContaining({ port: 80 })]);
  });

  it("binds a pod through pods/binding, as a scheduler does", async () => {
    const pod = { apiVersion: "v1", kind: "Pod", metadata: { name: "unscheduled" }, spec: { schedulerName: "nobody", containers: [{ name: "a", image: "busybox", command: ["sleep", "3600"] }] } };
    expect((await call("POST", "/api/v1/namespaces/pages/pods", pod)).status).toBe(201);
    const bound = await call("POST", "/api/v1/namespaces/pages/pods/unscheduled/binding", { apiVersion: "v1", kind: "Binding", metadata: { name: "unscheduled" }, target: { kind: "Node", name: "node-2" } });
    expect(bound).toMatchObject({ status: 201, json: { kind: "Status", status: "Success" } });
    expect((await call("GET", "/api/v1/namespaces/pages/pods/unscheduled")).json["spec"].nodeName).toBe("node-2");
    expect((await call("POST", "/api/v1/namespaces/pages/pods/unscheduled/binding", { target: { name: "node-1" } })).json).toMatchObject({ reason: "Conflict", code: 409 });
    expect((await call("DELETE", "/api/v1/namespaces/pages/pods/unscheduled", { kind: "DeleteOptions", apiVersion: "v1", gracePeriodSeconds: 0 })).status).toBe(200);
  });

  it.each([
    { name: "a dryRun other than All", method: "POST", path: `${pages}?dryRun=Maybe`, body: configMap("dry"), type: "application/json", status: 422, reason: "Invalid" },
    { name: "exec without an upgrade", method: "POST", path: "/api/v1/namespaces/pages/pods/x/exec", body: undefined, type: "application/json", status: 400, reason: "BadRequest" },
    { name: "an apply patch without a fieldManager", method: "PATCH", path: `${pages}/cm-a`, body: configMap("cm-a"), type: "application/apply-patch+yaml", status: 422, reason: "Invalid" },
    { name: "an unknown resource", method: "GET", path: "/api/v1/namespaces/pages/widgets", body: undefined, type: "application/json", status: 404, reason: "NotFound" },
    { name: "a name other than the URL's", method: "PUT", path: `${pages}/cm-a`, body: configMap("cm-z"), type: "application/json", status: 400, reason: "BadRequest" },
    { name: "a method the resource lacks", method: "POST", path: "/api/v1/namespaces/pages/pods/x/log", body: undefined, type: "application/json", status: 405, reason: "MethodNotAllowed" },
    { name: "a duplicate create", method: "POST", path: pages, body: configMap("cm-a"), type: "application/json", status: 409, reason: "AlreadyExists" },
  ])("refuses $name with $status $reason", async ({ method, path, body, type, status, reason }) => {
    expect((await call(method, path, body, type)).json).toMatchObject({ kind: "Status", status: "Failure", code: status, reason });
  });

  it("writes an event that continues the caller's trace, as the anonymous user", async () => {
    const traceId = "4bf92f3577b34da6a3ce929d0e0e4736";
    const res = await fetch(`${cluster.kubeApi}${pages}`, {
      method: "POST",
      headers: { "Content-Type": "application/json", traceparent: `00-${traceId}-00f067aa0ba902b7-01` },
      body: JSON.stringify({ apiVersion: "v1", kind: "ConfigMap", metadata: { name: "traced" } }),
    });
    expect(res.status).toBe(201);
    const sql = postgres(cluster.databaseUrl!, { max: 1, onnotice: () => {} });
    try {
      const [event] = await sql`select actor, traceparent from events where kind = 'ConfigMap' and namespace = 'pages' and name = 'traced'`;
      expect(event).toEqual({ actor: "anonymous", traceparent: expect.stringMatching(new RegExp(`^00-${traceId}-[0-9a-f]{16}-01$`)) });
    } finally {
      await sql.end();
    }
  });

  it("deletes a collection by label", async () => {
    const deleted = await call("DELETE", `${pages}?labelSelector=page%3Dyes`);
    expect(deleted.json["kind"]).toBe("ConfigMapList");
    expect(deleted.json["items"].map((c: Json) => c["metadata"].name).sort()).toEqual(["cm-a", "cm-b", "cm-c"]);
    expect((await call("GET", `${pages}?labelSelector=page%3Dyes`)).json["items"]).toEqual([]);
  });
});

/** kubectl's `-o name` of api-resources: `pods`, `deployments.apps`. */
function qualified(resource: string): string {
  const apps = ["daemonsets", "deployments", "replicasets", "statefulsets"];
  const batch = ["cronjobs", "jobs"];
  return apps.includes(resource) ? `${resource}.apps` : batch.includes(resource) ? `${resource}.batch` : resource;
}
