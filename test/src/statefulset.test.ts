import { Resolver } from "node:dns/promises";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { toApiObject, type Pod } from "@capstan/api";
import { eventually, examplesDir, startTestCluster, type TestCluster } from "./support/index.js";

/**
 * ../shared/examples/statefulset.yaml through real processes: pods web-0 then web-1, each with its own
 * claim bound to a volume (pre-created here until a default StorageClass provisions them), a DNS name
 * under the headless Service, scale down from the top keeping the claim, a rollout highest ordinal
 * first that survives a kill -9 of the controller, and rollout history and undo.
 */
let cluster: TestCluster;
const hostDir = mkdtempSync(join(tmpdir(), "capstan-sts-"));

beforeAll(async () => {
  cluster = await startTestCluster();
}, 120_000);

afterAll(async () => {
  await cluster?.stop();
  rmSync(hostDir, { recursive: true, force: true });
});

async function pods(): Promise<Pod[]> {
  const items = (await cluster.client.list({ kind: "Pod", namespace: "default", labelSelector: "app=nginx" })).items.map((o) => o.pod!);
  return items.sort((a, b) => a.metadata!.name.localeCompare(b.metadata!.name));
}

const readySince = (pod: Pod) => pod.status?.conditions.find((c) => c.type === "Ready" && c.status === "True")?.lastTransitionTime;
const isReady = (pod: Pod) => pod.status?.phase === "Running" && readySince(pod) !== undefined && !pod.metadata?.deletionTimestamp;
const image = (pod: Pod) => pod.spec?.containers[0]?.image;

/** The set's pods once they are exactly `names`, all Ready, and `ok` holds for each. */
function settled(names: string[], ok: (p: Pod) => boolean = () => true, what = `pods ${names.join(", ")} Ready`) {
  return eventually(
    async () => {
      const found = await pods();
      return found.map((p) => p.metadata!.name).join() === names.join() && found.every((p) => isReady(p) && ok(p)) ? found : undefined;
    },
    { timeoutMs: 120_000, what },
  );
}

/** The A records the cluster DNS (where kube-dns's endpoints say) answers for `name`; none for NXDOMAIN. */
async function resolveA(name: string): Promise<string[]> {
  const kubeDns = (await cluster.client.get({ kind: "Endpoints", namespace: "kube-system", name: "kube-dns" })).endpoints!;
  const resolver = new Resolver({ timeout: 3000, tries: 1 });
  resolver.setServers([`${kubeDns.subsets[0]!.addresses[0]!.ip}:${kubeDns.subsets[0]!.ports[0]!.port}`]);
  return resolver.resolve4(name).catch((e: { code?: string }) => {
    if (e.code === "ENOTFOUND") return [];
    throw e;
  });
}

describe("StatefulSet", () => {
  it("creates web-0, then web-1 once web-0 is Ready, each with its claim Bound and a DNS name", async () => {
    for (const n of [0, 1, 2]) {
      await cluster.client.create(
        toApiObject({
          apiVersion: "v1",
          kind: "PersistentVolume",
          metadata: { name: `sts-pv-${n}` },
          spec: { capacity: { storage: "1Gi" }, accessModes: ["ReadWriteOnce"], hostPath: { path: join(hostDir, `pv-${n}`) } },
        }),
      );
    }
    await cluster.capctlOk(["apply", "-f", join(examplesDir, "statefulset.yaml")]);
    const [web0, web1] = await settled(["web-0", "web-1"]);
    expect(Date.parse(web1!.metadata!.creationTimestamp), "web-1 is created only after web-0 is Ready").toBeGreaterThanOrEqual(Date.parse(readySince(web0!)!));
    expect(web0!.spec).toMatchObject({ hostname: "web-0", subdomain: "nginx" });
    expect(web0!.metadata!.labels).toMatchObject({ "statefulset.kubernetes.io/pod-name": "web-0", "apps.kubernetes.io/pod-index": "0" });

    const claims = await cluster.capctlOk(["get", "pvc"]);
    expect(claims).toMatch(/^www-web-0\s+Bound\s+sts-pv-\d/m);
    expect(claims).toMatch(/^www-web-1\s+Bound\s+sts-pv-\d/m);
    expect((await cluster.capctlOk(["get", "sts"])).trim()).toMatch(/^NAME\s+READY\s+AGE\nweb\s+2\/2\s+\d+s$/);
    await eventually(async () => ((await resolveA("web-0.nginx.default.svc.cluster.local")).join() === web0!.status!.podIp ? true : undefined), {
      timeoutMs: 30_000,
      what: "web-0.nginx.default.svc.cluster.local answering web-0's IP",
    });
  }, 240_000);

  it("scales down from the highest ordinal and keeps its claim, which the pod gets back on scale up", async () => {
    await cluster.capctlOk(["scale", "statefulset", "web", "--replicas=1"]);
    await settled(["web-0"]);
    expect(await cluster.capctlOk(["get", "pvc", "www-web-1"])).toMatch(/^www-web-1\s+Bound/m);
    await cluster.capctlOk(["scale", "statefulset", "web", "--replicas=2"]);
    const [, web1] = await settled(["web-0", "web-1"]);
    expect(web1!.spec!.volumes.find((v) => v.name === "www")?.persistentVolumeClaim?.claimName).toBe("www-web-1");
  }, 240_000);

  it("rolls a new image out highest ordinal first, converging after a kill -9 of the controller mid-rollout, without duplicates", async () => {
    const before = new Map((await pods()).map((p) => [p.metadata!.name, p.metadata!.uid]));
    await cluster.capctlOk(["set", "image", "statefulset/web", "nginx=nginx:1.27"]);
    // web-1 is replaced first; kill the controller while web-0 still waits for its turn.
    const replaced = await eventually(
      async () => {
        const found = await pods();
        const web1 = found.find((p) => p.metadata!.name === "web-1");
        const web0 = found.find((p) => p.metadata!.name === "web-0");
        return web1 && web1.metadata!.uid !== before.get("web-1") && web0?.metadata!.uid === before.get("web-0") ? web1 : undefined;
      },
      { timeoutMs: 120_000, what: "web-1 replaced while web-0 is not" },
    );
    expect(image(replaced)).toBe("nginx:1.27");
    await cluster.stack.service("statefulset-controller").crash();
    cluster.stack.service("statefulset-controller").start();

    expect(await cluster.capctlOk(["rollout", "status", "statefulset/web", "--timeout=180s"])).toMatch(/statefulset rolling update complete 2 pods at revision web-\w+\.\.\./);
    const [web0, web1] = await settled(["web-0", "web-1"], (p) => image(p) === "nginx:1.27", "both pods at nginx:1.27");
    expect(Date.parse(web0!.metadata!.creationTimestamp), "web-0 is replaced after the new web-1 is Ready").toBeGreaterThanOrEqual(Date.parse(readySince(web1!)!));
    expect(web0!.metadata!.labels["controller-revision-hash"]).toBe(web1!.metadata!.labels["controller-revision-hash"]);
    const revisions = await cluster.capctlOk(["get", "controllerrevisions"]);
    expect(revisions).toMatch(/^NAME\s+CONTROLLER\s+REVISION\s+AGE$/m);
    expect(revisions.match(/statefulset\.apps\/web\s+\d/g)).toHaveLength(2);
  }, 400_000);

  it("lists the rollout history and undoes to the previous revision", async () => {
    expect((await cluster.capctlOk(["rollout", "history", "statefulset/web"])).trim()).toMatch(/^statefulset\.apps\/web\nREVISION\s+CHANGE-CAUSE\n1\s+<none>\n2\s+<none>$/);
    expect(await cluster.capctlOk(["rollout", "history", "sts/web", "--revision=1"])).toMatch(/Image:\s+nginx:latest/);
    expect((await cluster.capctlOk(["rollout", "undo", "sts/web"])).trim()).toBe("statefulset.apps/web rolled back");
    await settled(["web-0", "web-1"], (p) => image(p) === "nginx:latest", "both pods back at nginx:latest");
    expect((await cluster.capctlOk(["rollout", "history", "statefulset/web"])).trim()).toMatch(/\n2\s+<none>\n3\s+<none>$/);
    expect(await cluster.capctlOk(["describe", "sts", "web"])).toMatch(/Replicas:\s+2 desired \| 2 total[\s\S]*Volume Claims:\n\s+Name:\s+www/);
  }, 400_000);
});
