/**
 * ConfigMaps and Secrets through a real cluster, as a user meets them: capctl create from literals and
 * files, the get tables, describe (a Secret's values never shown), apply of Kubernetes manifests
 * (stringData folded into base64 data, never stored), immutable data refused, the 1 MiB limit, and the
 * same objects through the gRPC client.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { ConfigMap, MAX_DATA_BYTES, Secret, unwrapObject, wrapObject, type ApiObject } from "@capstan/api";
import { isCapstanError, type InvalidError } from "@capstan/apimachinery";
import { startTestCluster, type TestCluster } from "./support/index.js";

const NS = "config";

let cluster: TestCluster;
let dir: string;

const ok = (...args: string[]) => cluster.capctlOk([...args, "-n", NS]);
const run = (args: string[], input?: string) => cluster.capctl([...args, "-n", NS], input);
const b64 = (s: string) => Buffer.from(s).toString("base64");

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "capstan-config-"));
  mkdirSync(join(dir, "conf"));
  writeFileSync(join(dir, "conf", "game.properties"), "lives=3\nlevel=2\n");
  writeFileSync(join(dir, "conf", "logo.png"), Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x00, 0xff]));
  writeFileSync(join(dir, "ca.crt"), "-----BEGIN CERTIFICATE-----\n");
  cluster = await startTestCluster({ nodes: 0 });
  expect((await cluster.capctlOk(["apply", "-f", "-"], `apiVersion: v1\nkind: Namespace\nmetadata:\n  name: ${NS}\n`)).trim()).toBe(`namespace/${NS} created`);
}, 120_000);

afterAll(async () => {
  await cluster?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe("capctl create configmap and create secret generic", () => {
  it("creates a config map from literals, a file under a key, and a folder (binary files in binaryData)", async () => {
    const created = await ok("create", "configmap", "settings", "--from-literal", "mode=fast", "--from-literal=url=http://x/?a=b", "--from-file", join(dir, "conf"), "--from-file", `ca=${join(dir, "ca.crt")}`);
    expect(created.trim()).toBe("configmap/settings created");
    const cm = JSON.parse(await ok("get", "cm", "settings", "-o", "json")) as Record<string, unknown>;
    expect(cm).toMatchObject({
      apiVersion: "v1",
      kind: "ConfigMap",
      metadata: { name: "settings", namespace: NS },
      data: { mode: "fast", url: "http://x/?a=b", "game.properties": "lives=3\nlevel=2\n", ca: "-----BEGIN CERTIFICATE-----\n" },
      binaryData: { "logo.png": Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x00, 0xff]).toString("base64") },
    });
  });

  it("creates a secret from literals and a file, every value base64 in data, Opaque", async () => {
    expect((await ok("create", "secret", "generic", "creds", "--from-literal", "username=admin", "--from-literal", "password=s3cr3t", "--from-file", join(dir, "ca.crt"))).trim()).toBe(
      "secret/creds created",
    );
    const secret = parse(await ok("get", "secret", "creds", "-o", "yaml")) as Record<string, unknown>;
    expect(secret).toMatchObject({ kind: "Secret", type: "Opaque", data: { username: b64("admin"), password: b64("s3cr3t"), "ca.crt": b64("-----BEGIN CERTIFICATE-----\n") } });
    expect(secret).not.toHaveProperty("stringData");
  });

  it("refuses a file whose name is not a valid key, as kubectl", async () => {
    writeFileSync(join(dir, "bad name"), "x");
    const r = await run(["create", "configmap", "bad", "--from-file", join(dir, "bad name")]);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain(`"bad name" is not a valid key name for a ConfigMap: a valid config key must consist of alphanumeric characters, '-', '_' or '.'`);
  });

  it("get cm,secret prints each kind's table", async () => {
    const out = await ok("get", "cm,secret");
    const tables = out.trim().split("\n\n").map((t) => t.split("\n").map((line) => line.trim().split(/\s+/)));
    const [cms, secrets] = tables;
    expect(cms?.[0]).toEqual(["NAME", "DATA", "AGE"]);
    expect(cms?.find((row) => row[0] === "configmap/settings")?.slice(0, 2)).toEqual(["configmap/settings", "5"]);
    expect(secrets?.[0]).toEqual(["NAME", "TYPE", "DATA", "AGE"]);
    expect(secrets?.find((row) => row[0] === "secret/creds")?.slice(0, 3)).toEqual(["secret/creds", "Opaque", "3"]);
  });

  it("describe secret lists each key with its size and never a value; describe configmap shows its data", async () => {
    const secret = await ok("describe", "secret", "creds");
    expect(secret).toMatch(/^Type: +Opaque$/m);
    expect(secret).toMatch(/^username: +5 bytes$/m);
    expect(secret).toMatch(/^password: +6 bytes$/m);
    expect(secret).not.toMatch(/admin|s3cr3t|YWRtaW4=|czNjcjN0|BEGIN/);
    const cm = await ok("describe", "configmap", "settings");
    expect(cm).toContain("game.properties:\n----\nlives=3\nlevel=2\n");
    expect(cm).toMatch(/^logo\.png: 6 bytes$/m);
  });
});

describe("capctl apply of Kubernetes manifests", () => {
  it("applies kubectl's `create secret generic --dry-run=client -o yaml` unchanged", async () => {
    const kubectl = ["apiVersion: v1", "data:", "  a: Yg==", "kind: Secret", "metadata:", "  creationTimestamp: null", "  name: from-kubectl", ""].join("\n");
    expect((await run(["apply", "-f", "-"], kubectl)).stdout.trim()).toBe("secret/from-kubectl created");
    expect(parse(await ok("get", "secret", "from-kubectl", "-o", "yaml"))).toMatchObject({ data: { a: "Yg==" }, type: "Opaque" });
  });

  it("folds a Secret's stringData into base64 data (stringData winning) and never stores it", async () => {
    const manifest = [
      "apiVersion: v1",
      "kind: Secret",
      "metadata:",
      "  name: db",
      "type: kubernetes.io/basic-auth",
      "data:",
      `  password: ${b64("old")}`,
      "stringData:",
      "  username: admin",
      "  password: t0p-s3cr3t",
      "",
    ].join("\n");
    expect((await run(["apply", "-f", "-"], manifest)).stdout.trim()).toBe("secret/db created");
    const stored = parse(await ok("get", "secret", "db", "-o", "yaml")) as Record<string, unknown>;
    expect(stored["data"]).toEqual({ username: b64("admin"), password: b64("t0p-s3cr3t") });
    expect(stored["type"]).toBe("kubernetes.io/basic-auth");
    expect(stored).not.toHaveProperty("stringData");
  });

  it("refuses a change to an immutable ConfigMap's data, naming the field", async () => {
    const frozen = (mode: string) => ["apiVersion: v1", "kind: ConfigMap", "metadata:", "  name: frozen", "immutable: true", "data:", `  mode: ${mode}`, ""].join("\n");
    expect((await run(["apply", "-f", "-"], frozen("fast"))).stdout.trim()).toBe("configmap/frozen created");
    const r = await run(["apply", "-f", "-"], frozen("slow"));
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain('ConfigMap "frozen" is invalid: data: Forbidden: field is immutable when `immutable` is set');
    expect(parse(await ok("get", "cm", "frozen", "-o", "yaml"))).toMatchObject({ data: { mode: "fast" }, immutable: true });
  });

  it("refuses a ConfigMap of more than 1 MiB with Kubernetes' message", async () => {
    writeFileSync(join(dir, "big"), "x".repeat(MAX_DATA_BYTES + 1));
    const r = await run(["create", "configmap", "big", "--from-file", join(dir, "big")]);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain(`ConfigMap "big" is invalid: []: Too long: must have at most ${MAX_DATA_BYTES} bytes`);
    expect((await run(["get", "cm", "big"])).code).not.toBe(0);
  });
});

describe("the same objects through the gRPC client", () => {
  const secretOf = (o: ApiObject) => {
    const { kind, message } = unwrapObject(o);
    if (kind !== "Secret") throw new Error(`expected a Secret, got ${kind}`);
    return message;
  };

  it("reads what capctl created, bytes as bytes", async () => {
    const { kind, message } = unwrapObject(await cluster.client.get({ kind: "ConfigMap", namespace: NS, name: "settings" }));
    expect(kind).toBe("ConfigMap");
    const cm = message as ConfigMap;
    expect(cm.data["mode"]).toBe("fast");
    expect([...(cm.binaryData["logo.png"] ?? [])]).toEqual([0x89, 0x50, 0x4e, 0x47, 0x00, 0xff]);
    expect(secretOf(await cluster.client.get({ kind: "Secret", namespace: NS, name: "creds" })).data["password"]?.toString()).toBe("s3cr3t");
  });

  it("creates a secret with stringData and gets data back; lists secrets by type", async () => {
    const created = secretOf(
      await cluster.client.create(wrapObject("Secret", Secret.fromPartial({ metadata: { name: "api", namespace: NS }, type: "example.com/token", stringData: { token: "abc" } }))),
    );
    expect(created.data["token"]?.toString()).toBe("abc");
    expect(created.stringData).toEqual({});
    const list = await cluster.client.list({ kind: "Secret", namespace: NS, fieldSelector: "type=example.com/token" });
    expect(list.items.map((o) => secretOf(o).metadata?.name)).toEqual(["api"]);
  });

  it("refuses an update of an immutable ConfigMap's data and its Secret's type, with the fields", async () => {
    const { message } = unwrapObject(await cluster.client.get({ kind: "ConfigMap", namespace: NS, name: "frozen" }));
    const frozen = ConfigMap.fromPartial({ ...(message as ConfigMap), data: { mode: "slow" }, immutable: false });
    const refusal = await cluster.client.update(wrapObject("ConfigMap", frozen)).then(() => undefined, (e: unknown) => e);
    expect(isCapstanError(refusal, "Invalid")).toBe(true);
    expect((refusal as InvalidError).fieldErrors).toEqual([
      { path: "immutable", message: "Forbidden: field is immutable when `immutable` is set" },
      { path: "data", message: "Forbidden: field is immutable when `immutable` is set" },
    ]);

    const api = secretOf(await cluster.client.get({ kind: "Secret", namespace: NS, name: "api" }));
    const retyped = await cluster.client.update(wrapObject("Secret", { ...api, type: "Opaque" })).then(() => undefined, (e: unknown) => e);
    expect((retyped as InvalidError).fieldErrors).toEqual([{ path: "type", message: 'Invalid value "Opaque": field is immutable' }]);
  });
});
