import { describe, expect, it } from "vitest";
import { applyDefaults, fromApiObject, objectKey, toApiObject, type ApiObject, type GetRequest } from "@capstan/api";
import { AlreadyExistsError, ConflictError, NotFoundError, type ObjectKey } from "@capstan/apimachinery";
import { applyObject, type ApplyClient } from "./apply.js";

type Json = Record<string, any>;

/**
 * A gateway in memory: defaults on write, a resourceVersion per write that an update must match,
 * status kept on update. `beforeCreate` runs first, to let a test play a concurrent writer.
 */
class FakeGateway implements ApplyClient {
  readonly objects = new Map<string, Json>();
  readonly updates: Json[] = [];
  beforeCreate: (() => void) | undefined;
  private revision = 0;

  private static id(key: ObjectKey): string {
    return `${key.kind}/${key.namespace || "default"}/${key.name}`;
  }

  store(object: Json): Json {
    const { kind } = fromApiObject(toApiObject(object));
    const defaulted = applyDefaults(kind, object) as Json;
    const stored = { ...defaulted, metadata: { namespace: "default", ...defaulted["metadata"], resourceVersion: String(++this.revision) } };
    this.objects.set(FakeGateway.id({ kind, namespace: stored["metadata"]["namespace"], name: stored["metadata"]["name"] }), stored);
    return stored;
  }

  async get(req: GetRequest): Promise<ApiObject> {
    const found = this.objects.get(FakeGateway.id(req));
    if (!found) throw new NotFoundError(req);
    return toApiObject(found);
  }

  async create(obj: ApiObject): Promise<ApiObject> {
    const before = this.beforeCreate;
    this.beforeCreate = undefined;
    before?.();
    const key = objectKey(obj);
    if (this.objects.has(FakeGateway.id(key))) throw new AlreadyExistsError(key);
    return toApiObject(this.store(fromApiObject(obj).json));
  }

  async update(obj: ApiObject): Promise<ApiObject> {
    const key = objectKey(obj);
    const json = fromApiObject(obj).json as Json;
    const current = this.objects.get(FakeGateway.id(key));
    if (!current) throw new NotFoundError(key);
    if (json["metadata"]["resourceVersion"] !== current["metadata"]["resourceVersion"]) throw new ConflictError(key, "the object has been modified");
    this.updates.push(json);
    return toApiObject(this.store({ ...json, status: current["status"] }));
  }
}

const key: ObjectKey = { kind: "Deployment", namespace: "default", name: "web" };

function aDeployment(replicas: number): Json {
  return {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name: "web" },
    spec: {
      replicas,
      strategy: { type: "RollingUpdate", rollingUpdate: { maxUnavailable: "25%", maxSurge: 1 } },
      selector: { matchLabels: { app: "web" } },
      template: { metadata: { labels: { app: "web" } }, spec: { containers: [{ name: "web", image: "nginx:1.27" }] } },
    },
  };
}

describe("applyObject", () => {
  it("creates, then leaves an unchanged object alone, then updates a changed one at the current resourceVersion", async () => {
    const gateway = new FakeGateway();

    expect(await applyObject(gateway, key, aDeployment(3))).toBe("created");
    expect(await applyObject(gateway, key, aDeployment(3))).toBe("unchanged");
    const before = gateway.objects.get("Deployment/default/web")!;
    expect(await applyObject(gateway, key, aDeployment(5))).toBe("configured");

    expect(gateway.updates).toHaveLength(1);
    expect(gateway.updates[0]).toMatchObject({ metadata: { resourceVersion: before["metadata"]["resourceVersion"] }, spec: { replicas: 5 } });
  });

  it("keeps the status a controller wrote and takes labels from the manifest", async () => {
    const gateway = new FakeGateway();
    gateway.store({ ...aDeployment(3), metadata: { name: "web", labels: { old: "x" } }, status: { replicas: 3 } });

    expect(await applyObject(gateway, key, { ...aDeployment(3), metadata: { name: "web", labels: { app: "web" } } })).toBe("configured");

    expect(gateway.updates[0]).toMatchObject({ metadata: { labels: { app: "web" } }, status: { replicas: 3 } });
    expect(gateway.updates[0]!["metadata"]["labels"]).not.toHaveProperty("old");
  });

  it("updates an object another writer created between its read and its create", async () => {
    const gateway = new FakeGateway();
    gateway.beforeCreate = () => gateway.store(aDeployment(1));

    expect(await applyObject(gateway, key, aDeployment(3))).toBe("configured");
    expect(gateway.objects.get("Deployment/default/web")).toMatchObject({ spec: { replicas: 3 } });
  });

  it("finds a ReplicationController unchanged although its labels are defaulted from the template", async () => {
    const gateway = new FakeGateway();
    const rc = {
      apiVersion: "v1",
      kind: "ReplicationController",
      metadata: { name: "legacy" },
      spec: { replicas: 2, template: { metadata: { labels: { app: "legacy" } }, spec: { containers: [{ name: "c", image: "busybox" }] } } },
    };
    const rcKey = { kind: "ReplicationController", namespace: "default", name: "legacy" };
    expect(await applyObject(gateway, rcKey, rc)).toBe("created");
    expect(await applyObject(gateway, rcKey, rc)).toBe("unchanged");
  });
});
