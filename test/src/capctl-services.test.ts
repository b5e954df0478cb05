import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { request } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { stringify } from "yaml";
import { parseCIDR, parseIPv4 } from "@capstan/api";
import { eventually, examplesDir, startTestCluster, type TestCluster } from "./support/index.js";

/** Every command runs in this namespace, so the pod's search path must start with it. */
const NS = "shop";

let cluster: TestCluster;
let aliasDir: string;

const ok = (...args: string[]) => cluster.capctlOk([...args, "-n", NS]);

function httpGet(host: string, port: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const r = request({ host, port, path: "/", agent: false, timeout: 5_000 }, (res) => {
      let body = "";
      res.on("data", (d: Buffer) => (body += d.toString()));
      res.on("end", () => (res.statusCode === 200 ? resolve(body) : reject(new Error(`HTTP ${res.statusCode}: ${body}`))));
    });
    r.on("timeout", () => r.destroy(new Error("timed out")));
    r.on("error", reject);
    r.end();
  });
}

beforeAll(async () => {
  // shared/examples/deployment.yaml runs image `my-image` on containerPort 8080: here agnhost serve-hostname.
  aliasDir = mkdtempSync(join(tmpdir(), "capstan-images-"));
  writeFileSync(join(aliasDir, "images.json"), JSON.stringify({ "my-image": { image: "agnhost", args: ["serve-hostname", "--port", "8080"] } }));
  cluster = await startTestCluster({ nodes: 1, env: { CAPSTAN_IMAGE_CATALOG: join(aliasDir, "images.json") } });
  const ns = await cluster.capctl(["apply", "-f", "-"], `apiVersion: v1\nkind: Namespace\nmetadata:\n  name: ${NS}\n`);
  expect(ns.stdout).toContain(`namespace/${NS} created`);
  const manifest = readFileSync(join(examplesDir, "deployment.yaml"), "utf8").replace("replicas: 3", "replicas: 2");
  expect((await cluster.capctl(["apply", "-n", NS, "-f", "-"], manifest)).stdout.trim()).toBe("deployment.apps/my-deployment created");
}, 120_000);

afterAll(async () => {
  await cluster?.stop();
  if (aliasDir) rmSync(aliasDir, { recursive: true, force: true });
});

describe("capctl expose and what pods see of Services", () => {
  let clusterIP = "";

  it("exposes the example deployment; get svc shows its cluster IP and port, and it answers with a pod's name", async () => {
    expect((await ok("expose", "deployment", "my-deployment", "--port", "80", "--target-port", "8080", "--name", "my-service")).trim()).toBe(
      "service/my-service exposed",
    );
    const [header, row, ...rest] = (await ok("get", "svc", "my-service")).trim().split("\n");
    expect(header?.split(/\s+/)).toEqual(["NAME", "TYPE", "CLUSTER-IP", "EXTERNAL-IP", "PORT(S)", "AGE"]);
    expect(rest).toEqual([]);
    const [name, type, ip = "", external, ports] = row!.split(/\s+/);
    expect({ name, type, external, ports }).toEqual({ name: "my-service", type: "ClusterIP", external: "<none>", ports: "80/TCP" });
    const { base, count } = parseCIDR(cluster.serviceCIDR);
    const n = parseIPv4(ip) ?? -1;
    expect(n >= base && n < base + count, `${ip} in ${cluster.serviceCIDR}`).toBe(true);
    clusterIP = ip;

    const names = await eventually(
      async () => {
        const pods = JSON.parse(await ok("get", "pods", "-l", "app=my-app", "-o", "json")) as { items: Array<{ metadata: { name: string } }> };
        return pods.items.length === 2 && pods.items.map((p) => p.metadata.name);
      },
      { timeoutMs: 60_000, what: "the deployment's two pods" },
    );
    const answer = await eventually(() => httpGet(clusterIP, 80), { timeoutMs: 90_000, intervalMs: 500, what: "an answer from my-service" });
    expect(names).toContain(answer);
  }, 150_000);

  it("a pod resolves the Service by its short name through its resolv.conf and sees its variables", async () => {
    expect(clusterIP).not.toBe("");
    // glibc's resolver, as an application uses it: the short name through the search path.
    const script = [
      "cat /etc/resolv.conf",
      "for i in $(seq 1 60); do getent hosts my-service && break; sleep 1; done",
      'echo "MY_SERVICE_SERVICE_HOST=$MY_SERVICE_SERVICE_HOST MY_SERVICE_PORT=$MY_SERVICE_PORT"',
    ].join("; ");
    const pod = {
      apiVersion: "v1",
      kind: "Pod",
      metadata: { name: "client" },
      spec: { restartPolicy: "Never", containers: [{ name: "client", image: "debian", command: ["/bin/sh", "-c", script] }] },
    };
    const applied = await cluster.capctl(["apply", "-n", NS, "-f", "-"], stringify(pod));
    expect(applied.stdout.trim()).toBe("pod/client created");
    await eventually(
      async () => {
        const status = (JSON.parse(await ok("get", "pod", "client", "-o", "json")) as { status: { phase: string } }).status;
        expect(status.phase).not.toBe("Failed");
        return status.phase === "Succeeded";
      },
      { timeoutMs: 120_000, intervalMs: 1_000, what: "the client pod to finish" },
    );
    const log = await ok("logs", "client");
    const dns = await cluster.capctl(["get", "svc", "kube-dns", "-n", "kube-system", "-o", "json"]);
    const dnsIP = JSON.parse(dns.stdout) as { spec: { clusterIP: string } };
    expect(log).toContain(`search ${NS}.svc.cluster.local svc.cluster.local cluster.local`);
    expect(log).toContain(`nameserver ${dnsIP.spec.clusterIP}`);
    expect(log).toContain("options ndots:5");
    expect(log).toMatch(new RegExp(`^${clusterIP.replaceAll(".", "\\.")}\\s+my-service\\.${NS}\\.svc\\.cluster\\.local$`, "m"));
    expect(log).toContain(`MY_SERVICE_SERVICE_HOST=${clusterIP} MY_SERVICE_PORT=tcp://${clusterIP}:80`);
  }, 150_000);
});
