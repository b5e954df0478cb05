import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, describe, expect, it, vi } from "vitest";
import { createFakeGateway } from "@capstan/client/testing";
import { configMapFrom, createConfigMap, createSecretGeneric, secretFrom, type DataSources } from "./create.js";

afterEach(() => vi.restoreAllMocks());

/** A folder with a text file, a binary file, a subfolder and a symlink; only the two files are regular. */
const dir = mkdtempSync(join(tmpdir(), "capctl-create-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const conf = join(dir, "conf");
mkdirSync(conf);
writeFileSync(join(conf, "game.properties"), "lives=3\n");
writeFileSync(join(conf, "logo.png"), Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x00, 0xff]));
mkdirSync(join(conf, "nested"));
writeFileSync(join(conf, "nested", "skipped"), "x");
symlinkSync("game.properties", join(conf, "link"));
const badName = join(dir, "bad name.txt");
writeFileSync(badName, "v");

const b64 = (s: string | Buffer) => Buffer.from(s).toString("base64");
const logo = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x00, 0xff]).toString("base64");
const keyRule =
  "a valid config key must consist of alphanumeric characters, '-', '_' or '.' (e.g. 'key.name',  or 'KEY_NAME',  or 'key-name', regex used for validation is '[-._a-zA-Z0-9]+')";

describe("configMapFrom", () => {
  it.each<{ name: string; sources: DataSources; data?: Record<string, string>; binaryData?: Record<string, string> }>([
    { name: "no sources", sources: {} },
    { name: "literals, split at the first =", sources: { fromLiteral: ["mode=fast", "url=http://x/?a=b", "empty="] }, data: { mode: "fast", url: "http://x/?a=b", empty: "" } },
    { name: "a file, keyed by its name", sources: { fromFile: [join(conf, "game.properties")] }, data: { "game.properties": "lives=3\n" } },
    { name: "a file under a key of its own", sources: { fromFile: [`game=${join(conf, "game.properties")}`] }, data: { game: "lives=3\n" } },
    { name: "a file whose name is no key, under a key", sources: { fromFile: [`ok=${badName}`] }, data: { ok: "v" } },
    {
      name: "a folder: each regular file, binary ones in binaryData",
      sources: { fromFile: [conf], fromLiteral: ["mode=fast"] },
      data: { "game.properties": "lives=3\n", mode: "fast" },
      binaryData: { "logo.png": logo },
    },
  ])("$name", ({ sources, data, binaryData }) => {
    expect(configMapFrom("settings", sources)).toEqual({
      apiVersion: "v1",
      kind: "ConfigMap",
      metadata: { name: "settings" },
      ...(data ? { data } : {}),
      ...(binaryData ? { binaryData } : {}),
    });
  });

  it.each<{ name: string; sources: DataSources; error: string }>([
    { name: "a literal without =", sources: { fromLiteral: ["mode"] }, error: "invalid literal source mode, expected key=value" },
    { name: "a literal without a key", sources: { fromLiteral: ["=fast"] }, error: "invalid literal source =fast, expected key=value" },
    { name: "an invalid literal key", sources: { fromLiteral: ["a b=c"] }, error: `"a b" is not a valid key name for a ConfigMap: ${keyRule}` },
    { name: "a file whose name is no key", sources: { fromFile: [badName] }, error: `"bad name.txt" is not a valid key name for a ConfigMap: ${keyRule}` },
    { name: "a key twice", sources: { fromLiteral: ["a=1", "a=2"] }, error: 'cannot add key "a", another key by that name already exists in Data for ConfigMap "settings"' },
    {
      name: "a literal under a binary file's key",
      sources: { fromFile: [conf], fromLiteral: ["logo.png=x"] },
      error: 'cannot add key "logo.png", another key by that name already exists in BinaryData for ConfigMap "settings"',
    },
    { name: "a missing file", sources: { fromFile: [join(dir, "missing")] }, error: `error reading ${join(dir, "missing")}: no such file or directory` },
    { name: "a key for a folder", sources: { fromFile: [`k=${conf}`] }, error: "cannot give a key name for a directory path" },
    { name: "a key without a path", sources: { fromFile: ["k="] }, error: "file path for key name k missing" },
    { name: "a path without a key", sources: { fromFile: ["=path"] }, error: "key name for file path path missing" },
    { name: "two =", sources: { fromFile: ["a=b=c"] }, error: "key names or file paths cannot contain '='" },
  ])("refuses $name", ({ sources, error }) => {
    expect(() => configMapFrom("settings", sources)).toThrow(error);
  });
});

describe("secretFrom", () => {
  it("takes literals then files, every value base64 in data, the type only when given", () => {
    expect(secretFrom("creds", { fromLiteral: ["username=admin", "password=s3cr=t"], fromFile: [conf] })).toEqual({
      apiVersion: "v1",
      kind: "Secret",
      metadata: { name: "creds" },
      data: { username: b64("admin"), password: b64("s3cr=t"), "game.properties": b64("lives=3\n"), "logo.png": logo },
    });
    expect(secretFrom("tls", { type: "kubernetes.io/tls" })).toEqual({ apiVersion: "v1", kind: "Secret", metadata: { name: "tls" }, type: "kubernetes.io/tls" });
  });

  it.each<{ name: string; sources: DataSources; error: string }>([
    { name: "an invalid key", sources: { fromLiteral: ["..a=b"] }, error: `"..a" is not valid key name for a Secret must not start with '..'` },
    { name: "a key twice", sources: { fromLiteral: ["game.properties=x"], fromFile: [conf] }, error: "cannot add key game.properties, another key by that name already exists" },
  ])("refuses $name", ({ sources, error }) => {
    expect(() => secretFrom("creds", sources)).toThrow(error);
  });
});

describe("capctl create", () => {
  it("creates a config map in the namespace and says so as kubectl", async () => {
    const log = vi.spyOn(console, "log").mockImplementation(() => undefined);
    const gw = await createFakeGateway();
    await gw.apply({ apiVersion: "v1", kind: "Namespace", metadata: { name: "team" } });
    await createConfigMap(gw, "settings", { fromLiteral: ["mode=fast"] }, { namespace: "team" });
    expect(log).toHaveBeenCalledWith("configmap/settings created");
    expect(gw.stored("ConfigMap", "settings", "team")).toMatchObject({ data: { mode: "fast" } });
  });

  it("creates a secret and says so as kubectl", async () => {
    const log = vi.spyOn(console, "log").mockImplementation(() => undefined);
    const gw = await createFakeGateway();
    await createSecretGeneric(gw, "creds", { fromLiteral: ["password=s3cr3t"] }, { namespace: "default" });
    expect(log).toHaveBeenCalledWith("secret/creds created");
    expect(gw.stored("Secret", "creds")).toMatchObject({ type: "Opaque", data: { password: b64("s3cr3t") } });
  });

  it("prints the object with --dry-run=client -o yaml, creating nothing, as kubectl's manifest", async () => {
    const out = vi.spyOn(process.stdout, "write").mockImplementation(() => true);
    const gw = await createFakeGateway();
    const revision = gw.revision;
    await createSecretGeneric(gw, "x", { fromLiteral: ["a=b"] }, { namespace: "default", dryRun: "client", output: "yaml" });
    expect(out.mock.calls.map(([chunk]) => String(chunk)).join("")).toBe(["apiVersion: v1", "kind: Secret", "metadata:", "  name: x", "data:", "  a: Yg==", ""].join("\n"));
    expect(gw.revision, "nothing created").toBe(revision);
  });

  it("refuses --dry-run=server and an unknown output before creating anything", async () => {
    const gw = await createFakeGateway();
    const revision = gw.revision;
    await expect(createConfigMap(gw, "x", {}, { namespace: "default", dryRun: "server" })).rejects.toThrow("--dry-run=server is not supported; use --dry-run=client");
    await expect(createConfigMap(gw, "x", {}, { namespace: "default", output: "wide" })).rejects.toThrow('unable to match a printer suitable for the output format "wide"');
    expect(gw.revision, "nothing created").toBe(revision);
  });
});
