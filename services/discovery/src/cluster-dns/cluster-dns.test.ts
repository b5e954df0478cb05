import { describe, expect, it } from "vitest";
import { Cluster } from "../testing/cluster.js";
import { CLUSTER_DNS_KEY, ClusterDNSReconciler, clusterDNSObjects } from "./cluster-dns.js";

type Json = Record<string, any>;

async function aReconciler(port = 10053) {
  const cluster = await Cluster.start();
  const reconciler = (p: number) =>
    new ClusterDNSReconciler(
      { clusterIP: "10.96.0.10", address: "127.0.0.1", port: p },
      cluster.informer("Service"),
      cluster.informer("Endpoints"),
      cluster.informer("EndpointSlice"),
      cluster.gateway,
    );
  return { cluster, reconciler: reconciler(port), restartedOn: reconciler };
}

const kubeDns = (cluster: Cluster, kind: "Service" | "Endpoints" | "EndpointSlice") => cluster.informer(kind).get("kube-system", "kube-dns") as Json | undefined;

describe("ClusterDNSReconciler", () => {
  it("creates kube-system/kube-dns with the cluster DNS address, and Endpoints and an EndpointSlice naming this server", async () => {
    const { cluster, reconciler } = await aReconciler();
    await reconciler.reconcile(CLUSTER_DNS_KEY);

    const service = kubeDns(cluster, "Service")!;
    expect(service["spec"]).toMatchObject({
      clusterIP: "10.96.0.10",
      ports: [
        { name: "dns", port: 53, protocol: "UDP" },
        { name: "dns-tcp", port: 53, protocol: "TCP" },
      ],
    });
    expect(service["spec"].selector).toBeUndefined();
    const owner = { apiVersion: "v1", kind: "Service", name: "kube-dns", uid: service["metadata"].uid, controller: true, blockOwnerDeletion: true };
    expect(kubeDns(cluster, "Endpoints")).toMatchObject({
      metadata: { ownerReferences: [owner] },
      subsets: [{ addresses: [{ ip: "127.0.0.1" }], ports: [{ name: "dns", port: 10053, protocol: "UDP" }, { name: "dns-tcp", port: 10053, protocol: "TCP" }] }],
    });
    expect(kubeDns(cluster, "EndpointSlice")).toMatchObject({
      metadata: { labels: { "kubernetes.io/service-name": "kube-dns", "endpointslice.kubernetes.io/managed-by": "discovery.capstan.io" }, ownerReferences: [owner] },
      addressType: "IPv4",
      endpoints: [{ addresses: ["127.0.0.1"], conditions: { ready: true, serving: true, terminating: false } }],
    });

    const revision = cluster.revision;
    await reconciler.reconcile(CLUSTER_DNS_KEY);
    expect(cluster.revision).toBe(revision);
  });

  it("points the endpoints at the port a restarted server listens on, keeping the Service", async () => {
    const { cluster, reconciler, restartedOn } = await aReconciler(10053);
    await reconciler.reconcile(CLUSTER_DNS_KEY);
    const uid = kubeDns(cluster, "Service")!["metadata"].uid;
    await restartedOn(40000).reconcile(CLUSTER_DNS_KEY);
    expect(kubeDns(cluster, "Service")!["metadata"].uid).toBe(uid);
    expect(kubeDns(cluster, "Endpoints")!["subsets"][0].ports.map((p: Json) => p.port)).toEqual([40000, 40000]);
    expect(kubeDns(cluster, "EndpointSlice")!["ports"].map((p: Json) => p.port)).toEqual([40000, 40000]);
  });

  it.each([
    { name: "the Service", obj: { metadata: { namespace: "kube-system", name: "kube-dns" } }, keys: [CLUSTER_DNS_KEY] },
    { name: "its slice", obj: { metadata: { namespace: "kube-system", name: "kube-dns-x", labels: { "kubernetes.io/service-name": "kube-dns" } } }, keys: [CLUSTER_DNS_KEY] },
    { name: "another Service", obj: { metadata: { namespace: "kube-system", name: "metrics" } }, keys: [] },
    { name: "a kube-dns elsewhere", obj: { metadata: { namespace: "default", name: "kube-dns" } }, keys: [] },
  ])("is woken by $name: $keys", ({ obj, keys }) => {
    expect([...clusterDNSObjects(obj)]).toEqual(keys);
  });
});
