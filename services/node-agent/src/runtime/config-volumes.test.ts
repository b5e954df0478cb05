import { ConfigMap, Pod, Secret, type Volume } from "@capstan/api";
import { lstatSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import type { ConfigObjects } from "./config-objects.js";
import { configVolumePayload, writeAtomically, writeConfigVolumes, type ConfigVolumeContext, type Payload } from "./config-volumes.js";

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});
function aTempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), "capstan-config-volumes-"));
  dirs.push(dir);
  return dir;
}

let settings: Record<string, string> = { level: "debug", color: "blue" };
const objects: ConfigObjects = {
  configMap: (_ns, name) => (name === "settings" ? ConfigMap.fromPartial({ data: settings, binaryData: { "logo.bin": Buffer.from([1, 2]) } }) : undefined),
  secret: (_ns, name) => (name === "creds" ? Secret.fromPartial({ data: { password: Buffer.from("s3cret") } }) : undefined),
};

function contextFor(volumes: Volume[]): ConfigVolumeContext {
  const pod = Pod.fromPartial({
    metadata: { name: "web", namespace: "prod", labels: { app: "web", tier: "front" } },
    spec: { containers: [{ name: "app", resources: { limits: { memory: "128Mi" } } }], volumes },
  });
  return { pod, identity: { name: "web", namespace: "prod", podIP: "127.1.0.9", hostname: "web" }, node: { hostIP: "10.0.0.5", allocatable: {} }, objects };
}

const text = (p: Payload | { configError: string }) =>
  "configError" in p ? p : Object.fromEntries([...p].map(([k, f]) => [k, [Buffer.from(f.data).toString("utf8"), f.mode.toString(8)]]));

describe("configVolumePayload", () => {
  it.each<{ name: string; volume: Omit<Volume, "name">; want: unknown }>([
    { name: "every key of a ConfigMap, binaryData too", volume: { configMap: { name: "settings", items: [], defaultMode: 0o644 } }, want: { level: ["debug", "644"], color: ["blue", "644"], "logo.bin": ["\u0001\u0002", "644"] } },
    {
      name: "items at their paths and modes",
      volume: { configMap: { name: "settings", items: [{ key: "level", path: "conf/level", mode: 0o600 }], defaultMode: 0o644 } },
      want: { "conf/level": ["debug", "600"] },
    },
    { name: "a Secret, decoded", volume: { secret: { secretName: "creds", items: [], defaultMode: 0o400 } }, want: { password: ["s3cret", "400"] } },
    { name: "a missing optional ConfigMap", volume: { configMap: { name: "nope", items: [], optional: true } }, want: {} },
    { name: "a missing ConfigMap", volume: { configMap: { name: "nope", items: [] } }, want: { configError: 'configmap "nope" not found' } },
    { name: "a missing key", volume: { configMap: { name: "settings", items: [{ key: "k", path: "k" }] } }, want: { configError: "configmap references non-existent config key: k" } },
    {
      name: "the downward API",
      volume: {
        downwardApi: {
          items: [
            { path: "labels", fieldRef: { apiVersion: "v1", fieldPath: "metadata.labels" } },
            { path: "name", fieldRef: { apiVersion: "v1", fieldPath: "metadata.name" } },
            { path: "mem", resourceFieldRef: { containerName: "app", resource: "limits.memory", divisor: "1Mi" } },
          ],
          defaultMode: 0o644,
        },
      },
      want: { labels: ['app="web"\ntier="front"', "644"], name: ["web", "644"], mem: ["128", "644"] },
    },
    {
      name: "a projection of all three",
      volume: {
        projected: {
          sources: [
            { configMap: { name: "settings", items: [{ key: "color", path: "color" }] } },
            { secret: { name: "creds", items: [] } },
            { downwardApi: { items: [{ path: "ns", fieldRef: { apiVersion: "v1", fieldPath: "metadata.namespace" } }] } },
          ],
          defaultMode: 0o640,
        },
      },
      want: { color: ["blue", "640"], password: ["s3cret", "640"], ns: ["prod", "640"] },
    },
  ])("$name", ({ volume, want }) => {
    const v = { name: "v", ...volume } as Volume;
    expect(text(configVolumePayload(v, contextFor([v])))).toEqual(want);
  });
});

describe("writeAtomically", () => {
  const file = (s: string, mode = 0o644) => ({ data: Buffer.from(s), mode });

  it("writes the kubelet's layout and swaps ..data on a change", () => {
    const dir = aTempDir();
    expect(writeAtomically(dir, new Map([["a", file("1")], ["sub/b", file("2", 0o600)]]))).toBe(true);
    const first = readlinkSync(join(dir, "..data"));
    expect(first).toMatch(/^\.\.\d{4}_\d\d_\d\d_\d\d_\d\d_\d\d\.\d+/);
    expect(readlinkSync(join(dir, "a"))).toBe("..data/a");
    expect(readlinkSync(join(dir, "sub"))).toBe("..data/sub");
    expect(readFileSync(join(dir, "sub/b"), "utf8")).toBe("2");
    expect(statSync(join(dir, "sub/b")).mode & 0o777).toBe(0o600);

    expect(writeAtomically(dir, new Map([["a", file("1")], ["sub/b", file("2", 0o600)]]))).toBe(false);
    expect(readlinkSync(join(dir, "..data"))).toBe(first);

    expect(writeAtomically(dir, new Map([["a", file("changed")]]))).toBe(true);
    expect(readFileSync(join(dir, "a"), "utf8")).toBe("changed");
    expect(readlinkSync(join(dir, "..data"))).not.toBe(first);
    // The old directory and the name no longer in the payload are gone.
    expect(readdirSync(dir).sort()).toEqual([readlinkSync(join(dir, "..data")), "..data", "a"].sort());
    expect(lstatSync(join(dir, "a")).isSymbolicLink()).toBe(true);
  });
});

describe("writeConfigVolumes", () => {
  it("refreshes a volume already set up and keeps the last content when its object is gone", () => {
    const root = aTempDir();
    const dirOf = (name: string) => join(root, name);
    const volumes: Volume[] = [{ name: "cfg", configMap: { name: "settings", items: [] } }, { name: "later", configMap: { name: "nope", items: [], optional: true } }];
    settings = { level: "debug" };
    expect(writeConfigVolumes(dirOf, contextFor(volumes.slice(0, 1)))).toBeUndefined();
    settings = { level: "info" };
    expect(writeConfigVolumes(dirOf, contextFor(volumes), true)).toBeUndefined();
    expect(readFileSync(join(root, "cfg/level"), "utf8")).toBe("info");
    expect(readdirSync(root)).toEqual(["cfg"]);
    expect(writeConfigVolumes(dirOf, contextFor([{ name: "cfg", configMap: { name: "gone", items: [] } }]))).toEqual({
      configError: 'MountVolume.SetUp failed for volume "cfg" : configmap "gone" not found',
      failedMount: true,
    });
    expect(writeConfigVolumes(dirOf, contextFor([{ name: "cfg", configMap: { name: "gone", items: [] } }]), true)).toBeUndefined();
    expect(readFileSync(join(root, "cfg/level"), "utf8")).toBe("info");
  });
});
