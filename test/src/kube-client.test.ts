/**
 * The official JavaScript client (@kubernetes/client-node) against the gateway's Kubernetes API: typed
 * create, list, replace and delete, a watch's bookmark, and an informer (list + watch) that sees every change exactly once,
 * also across a 410: the event log compacted past the revision it watches from, it re-lists and goes on.
 */
import { CoreV1Api, KubeConfig, makeInformer, type Informer, type ObjectCache, type V1ConfigMap } from "@kubernetes/client-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eventually, startTestCluster, type TestCluster } from "./support/index.js";

let cluster: TestCluster;
let api: CoreV1Api;
let kubeConfig: KubeConfig;

const NS = "default";

beforeAll(async () => {
  // Watches end after 2 to 4 s (the apiserver's min-request-timeout, made short): the informer re-watches often.
  cluster = await startTestCluster({ nodes: 1, env: { CAPSTAN_KUBE_MIN_REQUEST_TIMEOUT: "2" } });
  kubeConfig = new KubeConfig();
  // The client speaks plain HTTP only to a cluster marked insecure-skip-tls-verify (the gateway has no TLS yet).
  kubeConfig.loadFromOptions({
    clusters: [{ name: "capstan", server: cluster.kubeApi, skipTLSVerify: true }],
    users: [{ name: "anonymous" }],
    contexts: [{ name: "capstan", cluster: "capstan", user: "anonymous" }],
    currentContext: "capstan",
  });
  api = kubeConfig.makeApiClient(CoreV1Api);
}, 120_000);

afterAll(async () => {
  await cluster?.stop();
});

const configMap = (name: string, data: Record<string, string>): V1ConfigMap => ({ apiVersion: "v1", kind: "ConfigMap", metadata: { name, namespace: NS }, data });

describe("@kubernetes/client-node", () => {
  it("creates and lists", async () => {
    const created = await api.createNamespacedConfigMap({ namespace: NS, body: configMap("listed", { k: "v" }) });
    expect(created.metadata?.uid).toBeTruthy();
    expect(created.metadata?.resourceVersion).toMatch(/^\d+$/);
    const list = await api.listNamespacedConfigMap({ namespace: NS });
    expect(list.items.map((c) => c.metadata?.name)).toContain("listed");
    expect(list.items.find((c) => c.metadata?.name === "listed")?.data).toEqual({ k: "v" });
    const conflict = await api.createNamespacedConfigMap({ namespace: NS, body: configMap("listed", {}) }).catch((e: unknown) => e);
    expect((conflict as { code?: number }).code).toBe(409);
    await api.deleteNamespacedConfigMap({ name: "listed", namespace: NS });
  });

  it("gets a bookmark of the head on a watch that allows them, and the watch ends at timeoutSeconds", async () => {
    const from = Number((await api.listNamespacedConfigMap({ namespace: NS })).metadata?.resourceVersion);
    // A change of another kind: the ConfigMaps' watch has nothing to send for it, and a bookmark may pass it.
    const other = await api.createNamespace({ body: { apiVersion: "v1", kind: "Namespace", metadata: { name: "bookmarked" } } });
    const res = await fetch(`${cluster.kubeApi}/api/v1/namespaces/${NS}/configmaps?watch=1&resourceVersion=${from}&allowWatchBookmarks=true&timeoutSeconds=3`);
    expect(res.status).toBe(200);
    const events = (await res.text()).trim().split("\n").map((line) => JSON.parse(line) as { type: string; object: { kind: string; metadata: { resourceVersion: string } } });
    expect(events.map((e) => e.type)).toEqual(["BOOKMARK"]);
    expect(events[0]!.object.kind).toBe("ConfigMap");
    expect(Number(events[0]!.object.metadata.resourceVersion)).toBeGreaterThanOrEqual(Number(other.metadata?.resourceVersion));
  });

  describe("an informer", () => {
    let informer: Informer<V1ConfigMap> & ObjectCache<V1ConfigMap>;
    const seen: string[] = [];
    let lists = 0;
    let watches = 0;
    const errors: unknown[] = [];

    beforeAll(async () => {
      informer = makeInformer(kubeConfig, `/api/v1/namespaces/${NS}/configmaps`, () => {
        lists++;
        return api.listNamespacedConfigMap({ namespace: NS });
      });
      for (const verb of ["add", "update", "delete"] as const) {
        informer.on(verb, (cm) => seen.push(`${verb} ${cm.metadata?.name} ${JSON.stringify(cm.data ?? {})}`));
      }
      informer.on("error", (e) => errors.push(e));
      informer.on("connect", () => watches++);
      await informer.start();
    });

    afterAll(async () => {
      await informer?.stop();
    });

    it("sees every add, update and delete exactly once", async () => {
      await api.createNamespacedConfigMap({ namespace: NS, body: configMap("a", { v: "1" }) });
      await api.createNamespacedConfigMap({ namespace: NS, body: configMap("b", { v: "1" }) });
      await api.replaceNamespacedConfigMap({ name: "a", namespace: NS, body: configMap("a", { v: "2" }) });
      await api.deleteNamespacedConfigMap({ name: "b", namespace: NS });
      const expected = ['add a {"v":"1"}', 'add b {"v":"1"}', 'update a {"v":"2"}', 'delete b {"v":"1"}'];
      await eventually(() => seen.length >= expected.length, { what: "the informer's four events" });
      // Two more of the short watches end and are watched again from where they were: no event comes twice.
      const watched = watches;
      await eventually(() => watches >= watched + 2, { what: "two re-watches" });
      expect(seen).toEqual(expected);
      expect(lists).toBe(1);
      expect(errors).toEqual([]);
    });

    it("re-lists on the 410 of a compacted log and goes on seeing every change once", async () => {
      const before = seen.length;
      // A write elsewhere moves the head past what the informer watches from; the log is compacted to it.
      // (A body without apiVersion and kind, as typed clients may send: the URL's resource, as in Kubernetes.)
      await api.createNamespace({ body: { metadata: { name: "elsewhere" } } });
      expect(await cluster.compactLog()).toMatch(/^compacted the log to revision \d+: dropped \d+ events$/);
      // Its watch ends within 4 s; re-watching from before the compaction gets 410 Expired, so it lists again.
      await eventually(() => lists === 2, { what: "the informer's re-list after the 410" });
      expect(seen.length).toBe(before);
      await api.createNamespacedConfigMap({ namespace: NS, body: configMap("c", { v: "1" }) });
      await api.replaceNamespacedConfigMap({ name: "a", namespace: NS, body: configMap("a", { v: "3" }) });
      await api.deleteNamespacedConfigMap({ name: "a", namespace: NS });
      const after = ['add c {"v":"1"}', 'update a {"v":"3"}', 'delete a {"v":"3"}'];
      await eventually(() => seen.length >= before + after.length, { what: "the changes after the re-list" });
      expect(seen.slice(before)).toEqual(after);
      expect(lists).toBe(2);
      expect(errors).toEqual([]);
      expect(informer.list(NS).map((c: V1ConfigMap) => c.metadata?.name)).toEqual(["c"]);
    });
  });
});
