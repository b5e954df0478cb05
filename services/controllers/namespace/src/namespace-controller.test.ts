import { describe, expect, it } from "vitest";
import { fromApiObject, toApiObject, type ApiObject, type DeleteRequest, type ListRequest, type ListResponse } from "@capstan/api";
import { ConflictError, NotFoundError } from "@capstan/apimachinery";
import type { JsonObject } from "@capstan/client";
import { Informer } from "@capstan/controller-runtime";
import { FakeListWatch } from "@capstan/controller-runtime/testing";
import { NamespaceReconciler, RECHECK_MS, type NamespaceClient } from "./namespace-controller.js";

type Meta = { name: string; namespace?: string; uid: string; deletionTimestamp?: string };
const meta = (o: JsonObject) => o["metadata"] as Meta;

/** The gateway in memory: pods are deleted gracefully (marked) until `finishPods`; anything else at once. */
class FakeGateway implements NamespaceClient {
  readonly objects: JsonObject[] = [];
  finalized: JsonObject | undefined;

  async list(req: Partial<ListRequest> & { kind: string }): Promise<ListResponse> {
    const items = this.objects.filter((o) => o["kind"] === req.kind && meta(o).namespace === req.namespace);
    return { items: items.map(toApiObject), resourceVersion: "1" };
  }

  async delete(req: Partial<DeleteRequest> & { kind: string; name: string }): Promise<{ object: ApiObject; deleted: boolean }> {
    const key = { kind: req.kind, namespace: req.namespace ?? "", name: req.name };
    const i = this.objects.findIndex((o) => o["kind"] === req.kind && meta(o).namespace === key.namespace && meta(o).name === req.name);
    const current = this.objects[i];
    if (!current) throw new NotFoundError(key);
    if (req.preconditions?.uid !== meta(current).uid) throw new ConflictError(key, "Precondition failed: UID");
    if (req.kind !== "Pod") {
      this.objects.splice(i, 1);
      return { object: toApiObject(current), deleted: true };
    }
    this.objects[i] = { ...current, metadata: { ...meta(current), deletionTimestamp: "2026-03-01T12:00:30.000Z" } };
    return { object: toApiObject(this.objects[i]!), deleted: false };
  }

  async finalize(obj: ApiObject): Promise<ApiObject> {
    this.finalized = fromApiObject(obj).json;
    return obj;
  }

  /** The node agents have stopped every terminating pod. */
  finishPods(): void {
    for (let i = this.objects.length - 1; i >= 0; i--) if (meta(this.objects[i]!).deletionTimestamp) this.objects.splice(i, 1);
  }
}

const terminatingNamespace = {
  apiVersion: "v1",
  kind: "Namespace",
  metadata: { name: "team-a", uid: "uid-ns", resourceVersion: "7", deletionTimestamp: "2026-03-01T12:00:00.000Z", deletionGracePeriodSeconds: 0 },
  spec: { finalizers: ["kubernetes"] },
  status: { phase: "Terminating" },
};

function anObject(kind: string, name: string, namespace = "team-a"): JsonObject {
  const spec = kind === "Pod" ? { containers: [{ name: "c", image: "busybox:1" }] } : { selector: { matchLabels: { app: "web" } } };
  return { apiVersion: kind === "Pod" ? "v1" : "apps/v1", kind, metadata: { name, namespace, uid: `uid-${namespace}-${name}` }, spec };
}

async function reconcilerFor(gateway: FakeGateway, namespace: JsonObject): Promise<NamespaceReconciler> {
  const feed = new FakeListWatch();
  const namespaces = new Informer({ kind: "Namespace", listWatch: feed.listWatch, log: () => {} }).start();
  await feed.list([namespace]);
  return new NamespaceReconciler(namespaces, gateway, () => {});
}

describe("NamespaceReconciler", () => {
  it("given a terminating namespace, deletes what is in it, waits for its pods to stop, then finalizes it", async () => {
    const gateway = new FakeGateway();
    gateway.objects.push(anObject("ReplicaSet", "web"), anObject("Pod", "web-a"), anObject("Pod", "web-b"), anObject("Pod", "elsewhere", "team-b"));
    const reconciler = await reconcilerFor(gateway, terminatingNamespace);

    expect(await reconciler.reconcile("team-a")).toEqual({ requeueAfterMs: RECHECK_MS });
    expect(gateway.objects.map((o) => `${meta(o).name}${meta(o).deletionTimestamp ? " (terminating)" : ""}`)).toEqual([
      "web-a (terminating)",
      "web-b (terminating)",
      "elsewhere",
    ]);
    expect(await reconciler.reconcile("team-a")).toEqual({ requeueAfterMs: RECHECK_MS });
    expect(gateway.finalized).toBeUndefined();

    gateway.finishPods();
    expect(await reconciler.reconcile("team-a")).toBeUndefined();

    expect(gateway.finalized).toEqual({ ...terminatingNamespace, spec: {} });
    expect(gateway.objects.map((o) => meta(o).name)).toEqual(["elsewhere"]);
  });

  it("given an active namespace, touches nothing", async () => {
    const gateway = new FakeGateway();
    gateway.objects.push(anObject("Pod", "web-a"));
    const { deletionTimestamp: _d, deletionGracePeriodSeconds: _g, ...metadata } = terminatingNamespace.metadata;
    const reconciler = await reconcilerFor(gateway, { ...terminatingNamespace, metadata, status: { phase: "Active" } });

    expect(await reconciler.reconcile("team-a")).toBeUndefined();

    expect(gateway.objects).toEqual([anObject("Pod", "web-a")]);
    expect(gateway.finalized).toBeUndefined();
  });
});
