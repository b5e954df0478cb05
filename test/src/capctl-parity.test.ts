/**
 * capctl as a new user coming from kubectl tries it: apply -f of a file with a bad document, the create
 * generators, get all, --request-timeout — each compared with what stock kubectl does against the same
 * cluster where both can run.
 */
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { credentials, loadPackageDefinition, type Client, type ClientDuplexStream, type ServiceClientConstructor } from "@grpc/grpc-js";
import { loadSync } from "@grpc/proto-loader";
import { protoPath as healthProtoPath } from "grpc-health-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { stringify } from "yaml";
import { eventually, startTestCluster, type CommandResult, type TestCluster } from "./support/index.js";

type Json = Record<string, any>;

const NS = "parity";

let cluster: TestCluster;

const capctl = (...args: string[]): Promise<CommandResult> => cluster.capctl([...args, "-n", NS]);
const ok = (...args: string[]): Promise<string> => cluster.capctlOk([...args, "-n", NS]);

/** The first column of every line: the names a table shows, with its headers and blank separators. */
const firstColumn = (table: string): string[] => table.split("\n").map((line) => line.split(/\s+/)[0] ?? "");

beforeAll(async () => {
  // `example/web` (every tag) is nginx from the node's image catalog.
  cluster = await startTestCluster({ nodes: 1, images: { "example/web": { image: "nginx" } } });
}, 120_000);

afterAll(async () => {
  await cluster?.stop();
});

describe("capctl apply -f with documents it cannot apply", () => {
  it("applies every good document, reports each bad one on a line of its own and exits 1", async () => {
    const file = [
      { apiVersion: "v1", kind: "Namespace", metadata: { name: NS } },
      { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "settings", namespace: NS }, data: { mode: "fast" } },
      { apiVersion: "autoscaling/v2", kind: "HorizontalPodAutoscaler", metadata: { name: "hpa", namespace: NS }, spec: { maxReplicas: 3 } },
      { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "Bad_Name", namespace: NS } },
      { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "limits", namespace: NS }, dat: { typo: "x" } },
      { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "after", namespace: NS } },
    ]
      .map((d) => stringify(d))
      .join("---\n");
    const r = await cluster.capctl(["apply", "-f", "-"], file);
    expect(r.code, r.stderr).toBe(1);
    expect(r.stdout.trim().split("\n")).toEqual(["namespace/parity created", "configmap/settings created", "configmap/after created"]);
    // In document order, one line each.
    const errors = r.stderr.trim().split("\n");
    expect(errors).toHaveLength(3);
    expect(errors[0]).toMatch(/^error: error validating stdin \(document 3\): .*kind.*Unsupported value "HorizontalPodAutoscaler"/);
    expect(errors[1]).toMatch(/^Error from server \(Invalid\): error when applying "stdin": .*Bad_Name.*metadata\.name/);
    expect(errors[2]).toMatch(/^error: error validating stdin \(document 5\): .*dat/);
    expect((await ok("get", "configmap", "after", "-o", "name")).trim()).toBe("configmap/after");

    // Applied again: the good ones unchanged, the same errors.
    const again = await cluster.capctl(["apply", "-f", "-"], file);
    expect(again.code).toBe(1);
    expect(again.stdout.trim().split("\n")).toEqual(["namespace/parity unchanged", "configmap/settings unchanged", "configmap/after unchanged"]);
  }, 60_000);
});

describe("capctl create from generators, and get all", () => {
  it("creates a namespace, a deployment and services as kubectl's generators make them", async () => {
    expect((await cluster.capctlOk(["create", "namespace", "team-a"])).trim()).toBe("namespace/team-a created");
    expect((await ok("create", "deployment", "web", "--image=example/web:1", "--replicas=2", "--port=80")).trim()).toBe("deployment.apps/web created");
    expect((await ok("create", "service", "clusterip", "web", "--tcp=80:80")).trim()).toBe("service/web created");
    expect((await ok("create", "service", "nodeport", "web-np", "--tcp=8080:80")).trim()).toBe("service/web-np created");

    const deployment = JSON.parse(await ok("get", "deployment", "web", "-o", "json")) as Json;
    expect(deployment["metadata"]["labels"]).toEqual({ app: "web" });
    expect(deployment["spec"]["replicas"]).toBe(2);
    expect(deployment["spec"]["selector"]).toEqual({ matchLabels: { app: "web" } });
    expect(deployment["spec"]["template"]["spec"]["containers"]).toMatchObject([{ name: "web", image: "example/web:1", ports: [{ containerPort: 80 }] }]);
    const np = JSON.parse(await ok("get", "service", "web-np", "-o", "json")) as Json;
    expect(np["spec"]).toMatchObject({ type: "NodePort", selector: { app: "web-np" }, ports: [{ name: "8080-80", port: 8080, targetPort: 80, protocol: "TCP" }] });
    expect(np["spec"]["ports"][0]["nodePort"]).toBeGreaterThan(0);

    const bad = await capctl("create", "service", "clusterip", "x", "--tcp=80:Bad_Name");
    expect(bad.code).toBe(1);
    expect(bad.stderr.trim()).toBe("error: must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)");
  }, 60_000);

  it("get all lists pods, services, deployments and replica sets as kubectl get all does, kind/name each", async () => {
    await eventually(async () => (await cluster.client.list({ kind: "Pod", namespace: NS, labelSelector: "app=web" })).items.length === 2, { timeoutMs: 60_000 });
    const ours = await ok("get", "all");
    const theirs = await cluster.kubectlOk(["get", "all", "-n", NS]);
    expect(firstColumn(ours)).toEqual(firstColumn(theirs));
    const names = firstColumn(ours);
    expect(names).toContain("service/web");
    expect(names).toContain("deployment.apps/web");
    expect(names.filter((n) => n.startsWith("pod/web-"))).toHaveLength(2);
    expect(names.some((n) => n.startsWith("replicaset.apps/web-"))).toBe(true);
    expect(names.some((n) => n.startsWith("configmap/"))).toBe(false);
    expect((await ok("get", "all", "-o", "name")).trim().split("\n")).toEqual(names.filter((n) => n !== "NAME" && n !== ""));
  }, 120_000);
});

describe("capctl describe and get -o wide as kubectl shows them", () => {
  /** Scales deployment/agg and waits until its ReplicaSet was scaled to match. */
  async function scaleTo(replicas: number): Promise<void> {
    await ok("scale", "deployment/agg", `--replicas=${replicas}`);
    await eventually(async () => {
      const sets = await cluster.client.list({ kind: "ReplicaSet", namespace: NS, labelSelector: "app=agg" });
      return sets.items.length === 1 && sets.items[0]!.replicaSet!.spec!.replicas === replicas;
    }, { timeoutMs: 60_000 });
  }

  it("describe deployment: annotations as key: value, Limits and Requests, ScalingReplicaSet events with a repeat counted", async () => {
    const manifest = {
      apiVersion: "apps/v1",
      kind: "Deployment",
      metadata: { name: "agg", annotations: { "team.example/owner": "ops" } },
      spec: {
        replicas: 1,
        selector: { matchLabels: { app: "agg" } },
        template: {
          metadata: { labels: { app: "agg" } },
          spec: {
            terminationGracePeriodSeconds: 1,
            containers: [{ name: "web", image: "example/web:1", resources: { limits: { memory: "128Mi" }, requests: { cpu: "10m", memory: "64Mi" } } }],
          },
        },
      },
    };
    expect((await cluster.capctlOk(["apply", "-n", NS, "-f", "-"], stringify(manifest))).trim()).toBe("deployment.apps/agg created");
    await scaleTo(1);
    // 1 → 2 twice: the same event, counted on one Event.
    await scaleTo(2);
    await scaleTo(1);
    await scaleTo(2);
    const rs = (await cluster.client.list({ kind: "ReplicaSet", namespace: NS, labelSelector: "app=agg" })).items[0]!.replicaSet!.metadata!.name;
    const text = await eventually(async () => {
      const out = await ok("describe", "deployment", "agg");
      return /ScalingReplicaSet\s+\S+ \(x2 over \S+\)/.test(out) ? out : undefined;
    }, { timeoutMs: 30_000 });
    expect(text).toMatch(/^Annotations:\s+team\.example\/owner: ops$/m);
    expect(text).toMatch(/^Selector:\s+app=agg$/m);
    expect(text).toContain(["    Limits:", "      memory:  128Mi", "    Requests:", "      cpu:     10m", "      memory:  64Mi"].join("\n"));
    const events = text.slice(text.indexOf("Events:")).split("\n").filter((l) => l.includes("ScalingReplicaSet"));
    expect(events).toEqual([
      expect.stringMatching(new RegExp(`^  Normal\\s+ScalingReplicaSet\\s+\\S+\\s+deployment-controller\\s+Scaled up replica set ${rs} from 0 to 1$`)),
      expect.stringMatching(new RegExp(`^  Normal\\s+ScalingReplicaSet\\s+\\S+\\s+deployment-controller\\s+Scaled down replica set ${rs} from 2 to 1$`)),
      expect.stringMatching(new RegExp(`^  Normal\\s+ScalingReplicaSet\\s+\\S+ \\(x2 over \\S+\\)\\s+deployment-controller\\s+Scaled up replica set ${rs} from 1 to 2$`)),
    ]);
  }, 240_000);

  it("get pods -o wide has NOMINATED NODE and READINESS GATES, in capctl and through the Kubernetes API", async () => {
    const ours = (await ok("get", "pods", "-l", "app=web", "-o", "wide")).trim().split("\n");
    expect(ours[0]).toMatch(/^NAME\s+READY\s+STATUS\s+RESTARTS\s+AGE\s+IP\s+NODE\s+NOMINATED NODE\s+READINESS GATES$/);
    expect(ours.slice(1)).toEqual([expect.stringMatching(/\snode-1\s+<none>\s+<none>$/), expect.stringMatching(/\snode-1\s+<none>\s+<none>$/)]);
    const theirs = (await cluster.kubectlOk(["get", "pods", "-n", NS, "-l", "app=web", "-o", "wide"])).trim().split("\n");
    // Compared by column, as an AGE a digit longer in one of them widens its header.
    const headers = (line: string | undefined) => line?.split(/\s{2,}/);
    expect(headers(theirs[0])).toEqual(headers(ours[0]));
  }, 60_000);
});

describe("int64 fields in JSON", () => {
  it("are JSON numbers where Kubernetes writes numbers, from capctl and from the Kubernetes API", async () => {
    const ours = JSON.parse(await ok("get", "deployment", "web", "-o", "json")) as Json;
    const theirs = JSON.parse(await cluster.kubectlOk(["get", "deployment", "web", "-n", NS, "-o", "json"])) as Json;
    for (const d of [ours, theirs]) {
      // metadata.generation, status.observedGeneration and terminationGracePeriodSeconds are int64 in Kubernetes' API.
      expect(typeof d["metadata"]["generation"]).toBe("number");
      expect(typeof d["status"]["observedGeneration"]).toBe("number");
      expect(d["spec"]["template"]["spec"]["terminationGracePeriodSeconds"]).toBe(30);
    }
    const grpc = (await cluster.client.get({ kind: "Deployment", namespace: NS, name: "web" })).deployment!;
    expect(typeof grpc.metadata!.generation).toBe("number");
  }, 60_000);
});

describe("capctl --request-timeout", () => {
  it("takes kubectl's durations, refuses others with kubectl's message, and fails a call that misses it", async () => {
    expect(await ok("get", "deployment", "web", "-o", "name", "--request-timeout=30s")).toContain("deployment.apps/web");
    expect(await ok("get", "deployment", "web", "-o", "name", "--request-timeout=0")).toContain("deployment.apps/web");
    const bad = await capctl("get", "pods", "--request-timeout=abc");
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain("Invalid timeout value. Timeout must be a single integer in seconds, or an integer followed by a corresponding time unit (e.g. 1s | 2m | 3h)");
    // A microsecond is over before a connection is open: the deadline, not the gateway, fails it.
    const missed = await capctl("get", "pods", "--request-timeout=1us");
    expect(missed.code).toBe(1);
    expect(missed.stderr.trim()).toBe(`error: the gateway at ${cluster.stack.gateway} did not answer within the request timeout (--request-timeout)`);
  }, 60_000);
});

/** The reflection service's own .proto, as @grpc/reflection ships it. */
const reflectionProto = join(dirname(createRequire(import.meta.url).resolve("@grpc/reflection")), "../proto/grpc/reflection/v1/reflection.proto");

type HealthClient = Client & { check(req: { service: string }, cb: (e: Error | null, res: { status: string }) => void): void };
type ReflectionClient = Client & { serverReflectionInfo(): ClientDuplexStream<Record<string, unknown>, Record<string, any>> };

/** One request on the reflection stream, and its answer. */
function reflect(client: ReflectionClient, request: Record<string, unknown>): Promise<Record<string, any>> {
  return new Promise((resolve, reject) => {
    const call = client.serverReflectionInfo();
    call.once("data", (answer: Record<string, any>) => {
      resolve(answer);
      call.end();
    });
    call.once("error", reject);
    call.write(request);
  });
}

describe("the gateway's gRPC introspection, as grpcurl and load balancers use it", () => {
  it("answers grpc.health.v1 health checks SERVING and lists and describes its services by reflection", async () => {
    const options = { enums: String, keepCase: false };
    const health = (loadPackageDefinition(loadSync(healthProtoPath, options)) as any).grpc.health.v1.Health as ServiceClientConstructor;
    const reflection = (loadPackageDefinition(loadSync(reflectionProto, options)) as any).grpc.reflection.v1.ServerReflection as ServiceClientConstructor;
    const healthClient = new health(cluster.stack.gateway, credentials.createInsecure()) as unknown as HealthClient;
    const reflectionClient = new reflection(cluster.stack.gateway, credentials.createInsecure()) as unknown as ReflectionClient;
    try {
      const check = (service: string) => new Promise<string>((resolve, reject) => healthClient.check({ service }, (e, res) => (e ? reject(e) : resolve(res.status))));
      expect(await check("")).toBe("SERVING");
      expect(await check("capstan.v1.Gateway")).toBe("SERVING");

      const listed = await reflect(reflectionClient, { listServices: "" });
      const services = (listed["listServicesResponse"]["service"] as { name: string }[]).map((s) => s.name);
      expect(services).toEqual(expect.arrayContaining(["capstan.v1.Gateway", "grpc.health.v1.Health"]));

      const described = await reflect(reflectionClient, { fileContainingSymbol: "capstan.v1.Gateway" });
      const files = (described["fileDescriptorResponse"]["fileDescriptorProto"] as Buffer[]).map((b) => Buffer.from(b).toString("latin1"));
      const gatewayFile = files.find((f) => f.includes("capstan/v1/gateway.proto"));
      expect(gatewayFile).toBeDefined();
      for (const method of ["Create", "Get", "List", "Watch"]) expect(gatewayFile).toContain(method);
      // The messages the methods carry come with it (proto-loader folds the imported files into one), down to a Pod's spec.
      for (const message of ["CreateRequest", "PodSpec", "DeploymentSpec", "ObjectMeta"]) expect(files.some((f) => f.includes(message)), message).toBe(true);
    } finally {
      healthClient.close();
      reflectionClient.close();
    }
  }, 60_000);
});
