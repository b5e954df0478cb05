import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { clusterDNSIP, toApiObject, type EndpointSlice, type Endpoints } from "@capstan/api";
import { eventually, startTestCluster, type TestCluster } from "./support/index.js";

const run = promisify(execFile);

let cluster: TestCluster;
/** Where the cluster DNS answers, as its kube-dns endpoints say. */
let dns: { ip: string; port: number };

beforeAll(async () => {
  cluster = await startTestCluster({ nodes: 2 });
  // Where to ask, found once, so that one failing test does not take the others' DNS server with it.
  const kubeDns = await eventually(() => endpoints("kube-dns", "kube-system"), { what: "kube-dns endpoints" });
  dns = { ip: kubeDns.subsets[0]!.addresses[0]!.ip, port: kubeDns.subsets[0]!.ports[0]!.port };
}, 120_000);

afterAll(async () => {
  await cluster?.stop();
});

async function endpoints(name: string, namespace = "default"): Promise<Endpoints> {
  return (await cluster.client.get({ kind: "Endpoints", namespace, name })).endpoints!;
}

async function slicesOf(service: string): Promise<EndpointSlice[]> {
  const listed = await cluster.client.list({ kind: "EndpointSlice", namespace: "default", labelSelector: `kubernetes.io/service-name=${service}` });
  return listed.items.map((o) => o.endpointSlice!);
}

/** `dig` against the cluster DNS: the answers' data, sorted; NXDOMAIN and the like as `status: X`. */
async function dig(name: string, type = "A"): Promise<string[]> {
  // dig exits 9 when no reply came: an answer to assert on, not a crash of the test.
  const { stdout } = await run("dig", [`@${dns.ip}`, "-p", String(dns.port), "+tries=1", "+time=3", name, type]).catch((e: { code?: number; stdout?: string }) => {
    if (e.code === 9) return { stdout: "" };
    throw e;
  });
  const status = /status: (\w+)/.exec(stdout)?.[1];
  if (status !== "NOERROR") return [`status: ${status ?? "no reply"}`];
  const answer = stdout.split(";; ANSWER SECTION:\n")[1]?.split("\n\n")[0] ?? "";
  return answer
    .split("\n")
    .filter(Boolean)
    .map((line) => line.split(/\s+/).slice(4).join(" "))
    .sort();
}

const nginxTemplate = {
  metadata: { labels: { app: "web" } },
  spec: {
    containers: [
      {
        name: "nginx",
        image: "nginx:1.27",
        ports: [{ name: "http", containerPort: 80 }],
        readinessProbe: { httpGet: { path: "/", port: "http" }, periodSeconds: 1 },
      },
    ],
  },
};

/** A StatefulSet-style pod whose readiness the test flips (agnhost netexec's /readyz switch). */
const flipPod = {
  apiVersion: "v1",
  kind: "Pod",
  metadata: { name: "web-0", namespace: "default", labels: { app: "flip" } },
  spec: {
    hostname: "web-0",
    subdomain: "nginx",
    terminationGracePeriodSeconds: 60,
    containers: [
      {
        name: "netexec",
        image: "registry.k8s.io/e2e-test-images/agnhost:2.47",
        args: ["netexec", "--http-port", "80", "--udp-port", "-1", "--delay-shutdown", "60"],
        ports: [{ name: "http", containerPort: 80 }],
        readinessProbe: { httpGet: { path: "/readyz", port: 80 }, periodSeconds: 1 },
      },
    ],
  },
};

const readyIPs = (e: Endpoints) => e.subsets.flatMap((s) => s.addresses.map((a) => a.ip)).sort();
const notReadyIPs = (e: Endpoints) => e.subsets.flatMap((s) => s.notReadyAddresses.map((a) => a.ip)).sort();

describe("discovery: endpoints and cluster DNS", () => {
  let podIPs: string[] = [];
  let clusterIP = "";
  let flipIP = "";

  it("registers kube-system/kube-dns with the cluster DNS address and endpoints naming the DNS server", async () => {
    // Discovery creates it once it leads, which may be just after the stack reports ready.
    const service = await eventually(async () => (await cluster.client.get({ kind: "Service", namespace: "kube-system", name: "kube-dns" })).service, { what: "the kube-dns Service" });
    expect(service.spec!.clusterIp).toBe(clusterDNSIP(cluster.serviceCIDR));
    expect(service.spec!.ports.map((p) => `${p.name} ${p.port}/${p.protocol}`)).toEqual(["dns 53/UDP", "dns-tcp 53/TCP"]);
    const kubeDns = await endpoints("kube-dns", "kube-system");
    expect(kubeDns.subsets).toHaveLength(1);
    expect(kubeDns.subsets[0]!.addresses.map((a) => a.ip)).toEqual([dns.ip]);
    expect(kubeDns.subsets[0]!.ports.map((p) => `${p.name} ${p.port}/${p.protocol}`).sort()).toEqual([`dns ${dns.port}/UDP`, `dns-tcp ${dns.port}/TCP`]);
    expect(await dig("kube-dns.kube-system.svc.cluster.local")).toEqual([clusterDNSIP(cluster.serviceCIDR)]);
  });

  it("lists the 3 ready pods of a Deployment in Endpoints and EndpointSlices, with the named target port resolved", async () => {
    await cluster.client.create(
      toApiObject({ apiVersion: "apps/v1", kind: "Deployment", metadata: { name: "web", namespace: "default" }, spec: { replicas: 3, selector: { matchLabels: { app: "web" } }, template: nginxTemplate } }),
    );
    const web = await cluster.client.create(
      toApiObject({ apiVersion: "v1", kind: "Service", metadata: { name: "web", namespace: "default" }, spec: { selector: { app: "web" }, ports: [{ name: "http", port: 8080, targetPort: "http" }] } }),
    );
    clusterIP = web.service!.spec!.clusterIp;
    await cluster.client.create(
      toApiObject({
        apiVersion: "v1",
        kind: "Service",
        metadata: { name: "web-headless", namespace: "default" },
        spec: { clusterIP: "None", selector: { app: "web" }, ports: [{ name: "http", port: 80, targetPort: "http" }] },
      }),
    );

    const ready = await eventually(
      async () => {
        const e = await endpoints("web");
        if (readyIPs(e).length !== 3) throw new Error(`ready: ${readyIPs(e).join(",")}; not ready: ${notReadyIPs(e).join(",")}`);
        return e;
      },
      { timeoutMs: 90_000, what: "3 ready addresses in Endpoints web" },
    );
    podIPs = readyIPs(ready);
    expect(ready.subsets).toHaveLength(1);
    expect(ready.subsets[0]!.ports).toEqual([{ name: "http", port: 80, protocol: "TCP" }]);
    expect(ready.subsets[0]!.addresses.every((a) => a.targetRef?.kind === "Pod" && a.nodeName?.startsWith("node-"))).toBe(true);

    const slices = await eventually(
      async () => {
        const found = await slicesOf("web");
        const ips = found.flatMap((s) => s.endpoints.filter((e) => e.conditions?.ready).map((e) => e.addresses[0]));
        if (ips.length !== 3) throw new Error(`ready in slices: ${ips.join(",")}`);
        return found;
      },
      { what: "3 ready endpoints in the EndpointSlices of web" },
    );
    expect(slices).toHaveLength(1);
    expect(slices[0]!.addressType).toBe("IPv4");
    expect(slices[0]!.ports).toEqual([{ name: "http", port: 80, protocol: "TCP" }]);
    expect(slices[0]!.metadata!.labels["endpointslice.kubernetes.io/managed-by"]).toBe("endpointslice-controller.k8s.io");
    expect(slices[0]!.metadata!.ownerReferences).toEqual([expect.objectContaining({ kind: "Service", name: "web", controller: true })]);
    expect(slices[0]!.endpoints.map((e) => e.addresses[0]).sort()).toEqual(podIPs);

    const table = await cluster.capctl(["get", "endpoints", "web"]);
    expect(table.stdout).toMatch(new RegExp(`^NAME\\s+ENDPOINTS\\s+AGE\\nweb\\s+${podIPs.map((ip) => `${ip.replaceAll(".", "\\.")}:80`).join(",")}\\s+`));
    const sliceTable = await cluster.capctl(["get", "endpointslices", "-l", "kubernetes.io/service-name=web"]);
    expect(sliceTable.stdout).toMatch(/^NAME\s+ADDRESSTYPE\s+PORTS\s+ENDPOINTS\s+AGE\nweb-\w+\s+IPv4\s+80\s+/);
    for (const ip of podIPs) expect(sliceTable.stdout).toContain(ip);
  }, 120_000);

  it("answers the Service with its cluster IP, the headless Service with the pods, SRV with the port, PTR, and NXDOMAIN", async () => {
    expect(await dig("web.default.svc.cluster.local")).toEqual([clusterIP]);
    await eventually(async () => expect(await dig("web-headless.default.svc.cluster.local")).toEqual(podIPs), { what: "the headless Service's pod IPs" });
    expect(await dig("_http._tcp.web.default.svc.cluster.local", "SRV")).toEqual(["0 100 8080 web.default.svc.cluster.local."]);
    expect((await dig("_http._tcp.web-headless.default.svc.cluster.local", "SRV")).map((r) => r.split(" ").slice(2, 3).join())).toEqual(["80", "80", "80"]);
    const reverse = `${clusterIP.split(".").reverse().join(".")}.in-addr.arpa`;
    expect(await dig(reverse, "PTR")).toEqual(["web.default.svc.cluster.local."]);
    expect(await dig("nope.default.svc.cluster.local")).toEqual(["status: NXDOMAIN"]);
  });

  it("names a pod with hostname and subdomain, and moves it to not ready when its readiness fails", async () => {
    await cluster.client.create(
      toApiObject({ apiVersion: "v1", kind: "Service", metadata: { name: "nginx", namespace: "default" }, spec: { clusterIP: "None", selector: { app: "flip" }, ports: [{ name: "http", port: 80, targetPort: "http" }] } }),
    );
    await cluster.client.create(toApiObject(flipPod));
    const ready = await eventually(
      async () => {
        const e = await endpoints("nginx");
        if (readyIPs(e).length !== 1) throw new Error(`ready: ${readyIPs(e).join(",")}; not ready: ${notReadyIPs(e).join(",")}`);
        return e;
      },
      { timeoutMs: 60_000, what: "web-0 ready in Endpoints nginx" },
    );
    flipIP = readyIPs(ready)[0]!;
    expect(ready.subsets[0]!.addresses[0]!.hostname).toBe("web-0");
    await eventually(async () => expect(await dig("web-0.nginx.default.svc.cluster.local")).toEqual([flipIP]), { what: "web-0's name" });

    const flip = async (to: "fail" | "pass") => {
      const res = await fetch(`http://${flipIP}/readyz/${to}`, { method: "POST" });
      expect(res.status).toBe(200);
    };
    await flip("fail");
    await eventually(
      async () => {
        const e = await endpoints("nginx");
        if (notReadyIPs(e).join() !== flipIP || readyIPs(e).length !== 0) throw new Error(`ready: ${readyIPs(e).join(",")}; not ready: ${notReadyIPs(e).join(",")}`);
        const endpoint = (await slicesOf("nginx"))[0]?.endpoints[0];
        expect(endpoint?.conditions).toEqual({ ready: false, serving: false, terminating: false });
        return true;
      },
      { timeoutMs: 30_000, what: "web-0 not ready" },
    );
    // Not ready: the headless name no longer answers it, but the Service name still exists. The DNS
    // server learns it from its own watch of the slices, a moment after the API has it.
    await eventually(
      async () => {
        expect(await dig("nginx.default.svc.cluster.local")).toEqual([]);
        expect(await dig("web-0.nginx.default.svc.cluster.local")).toEqual(["status: NXDOMAIN"]);
        return true;
      },
      { timeoutMs: 10_000, what: "the cluster DNS to drop the not-ready web-0" },
    );

    await flip("pass");
    await eventually(async () => expect(await dig("nginx.default.svc.cluster.local")).toEqual([flipIP]), { timeoutMs: 30_000, what: "web-0 ready again" });

    // Deleted: terminating (netexec keeps running while its grace period runs), not ready, out of Endpoints.
    await cluster.client.delete({ kind: "Pod", namespace: "default", name: "web-0" });
    await eventually(
      async () => {
        const endpoint = (await slicesOf("nginx"))[0]?.endpoints[0];
        expect(endpoint?.conditions).toMatchObject({ ready: false, terminating: true });
        expect(notReadyIPs(await endpoints("nginx"))).toEqual([]);
        expect(readyIPs(await endpoints("nginx"))).toEqual([]);
        return true;
      },
      { timeoutMs: 30_000, what: "web-0 terminating" },
    );
  }, 180_000);
});
