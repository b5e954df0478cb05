/**
 * The kubelet's configMap, secret, downwardAPI and projected volumes: a directory of files computed from
 * the API, written with its AtomicWriter layout so a reader never sees half an update — the files live
 * in a timestamped directory, `..data` links to the current one, and each visible name links through
 * `..data`. A later write builds a new directory and swaps `..data` in one rename.
 */
import type { DownwardAPIVolumeFile, KeyToPath, Pod, Volume } from "@capstan/api";
import { chmodSync, existsSync, lstatSync, mkdirSync, mkdtempSync, readFileSync, readlinkSync, readdirSync, renameSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { configBytes, isConfigError, podFieldValue, resourceFieldValue, type ConfigError, type ConfigObjects, type NodeFacts } from "./config-objects.js";
import type { PodIdentity } from "./container-env.js";

const defaultFileMode = 0o644;
const dataDir = "..data";

/** One file of a volume: its bytes and mode. */
export interface VolumeFile {
  data: Uint8Array;
  mode: number;
}

export type Payload = Map<string, VolumeFile>;

export interface ConfigVolumeContext {
  pod: Pod;
  identity: PodIdentity;
  node: NodeFacts;
  objects: ConfigObjects;
}

export const isConfigVolume = (v: Volume): boolean => v.configMap !== undefined || v.secret !== undefined || v.downwardApi !== undefined || v.projected !== undefined;

/** The files a volume holds now, or why it cannot be set up (a missing object or key that is not optional). */
export function configVolumePayload(v: Volume, ctx: ConfigVolumeContext): Payload | ConfigError {
  const parts: Array<Payload | ConfigError> = [];
  if (v.configMap) {
    const { name, items, optional, defaultMode } = v.configMap;
    parts.push(keyFiles("configmap", name, items, optional, defaultMode ?? defaultFileMode, ctx));
  }
  if (v.secret) {
    const { secretName, items, optional, defaultMode } = v.secret;
    parts.push(keyFiles("secret", secretName, items, optional, defaultMode ?? defaultFileMode, ctx));
  }
  if (v.downwardApi) parts.push(downwardFiles(v.downwardApi.items, v.downwardApi.defaultMode ?? defaultFileMode, ctx));
  const projectedMode = v.projected?.defaultMode ?? defaultFileMode;
  for (const s of v.projected?.sources ?? []) {
    if (s.configMap) parts.push(keyFiles("configmap", s.configMap.name, s.configMap.items, s.configMap.optional, projectedMode, ctx));
    if (s.secret) parts.push(keyFiles("secret", s.secret.name, s.secret.items, s.secret.optional, projectedMode, ctx));
    if (s.downwardApi) parts.push(downwardFiles(s.downwardApi.items, projectedMode, ctx));
  }
  const payload: Payload = new Map();
  for (const part of parts) {
    if (isConfigError(part)) return part;
    for (const [path, file] of part) payload.set(path, file);
  }
  return payload;
}

/** Every key of a ConfigMap or Secret as a file, or only `items` at their paths; a missing optional object is no files. */
function keyFiles(
  kind: "configmap" | "secret",
  name: string,
  items: readonly KeyToPath[],
  optional: boolean | undefined,
  mode: number,
  ctx: ConfigVolumeContext,
): Payload | ConfigError {
  const data = configBytes(kind, ctx.objects, ctx.identity.namespace, name);
  if (isConfigError(data)) return optional ? new Map() : data;
  if (items.length === 0) return new Map([...data].map(([key, bytes]) => [key, { data: bytes, mode }]));
  const payload: Payload = new Map();
  for (const item of items) {
    const bytes = data.get(item.key);
    if (bytes === undefined) {
      if (optional) continue;
      return { configError: `${kind} references non-existent ${kind === "configmap" ? "config" : "secret"} key: ${item.key}` };
    }
    payload.set(item.path, { data: bytes, mode: item.mode ?? mode });
  }
  return payload;
}

function downwardFiles(items: readonly DownwardAPIVolumeFile[], mode: number, ctx: ConfigVolumeContext): Payload | ConfigError {
  const payload: Payload = new Map();
  for (const item of items) {
    let value: string | ConfigError = "";
    if (item.fieldRef) value = podFieldValue(item.fieldRef, ctx.pod, ctx.identity, ctx.node);
    else if (item.resourceFieldRef) value = resourceFieldValue(item.resourceFieldRef, ctx.pod, "", ctx.node);
    if (isConfigError(value)) return value;
    payload.set(item.path, { data: Buffer.from(value, "utf8"), mode: item.mode ?? mode });
  }
  return payload;
}

/**
 * Writes `payload` into `dir` as the kubelet's AtomicWriter does, and answers whether anything changed:
 * an unchanged payload is not written again, so a reader's `..data` stays put.
 */
export function writeAtomically(dir: string, payload: Payload): boolean {
  mkdirSync(dir, { recursive: true });
  const current = join(dir, dataDir);
  const oldTimestamped = existsSync(current) ? readlinkSync(current) : undefined;
  if (oldTimestamped !== undefined && sameContent(join(dir, oldTimestamped), payload)) return false;

  const stamp = new Date().toISOString().replace(/[-:T]/g, "_").replace(/\.(\d+)Z$/, ".$1");
  const timestamped = mkdtempSync(join(dir, `..${stamp}`));
  for (const [path, file] of payload) {
    const target = join(timestamped, path);
    mkdirSync(dirname(target), { recursive: true });
    writeFileSync(target, file.data);
    chmodSync(target, file.mode);
  }
  const tmp = join(dir, `${dataDir}_tmp`);
  rmSync(tmp, { force: true });
  symlinkSync(timestamped.slice(dir.length + 1), tmp);
  renameSync(tmp, current);

  const visible = new Set([...payload.keys()].map((p) => p.split("/")[0]!));
  for (const name of visible) {
    if (!isSymlink(join(dir, name))) symlinkSync(join(dataDir, name), join(dir, name));
  }
  for (const name of readdirSync(dir)) {
    if (!name.startsWith("..") && !visible.has(name)) rmSync(join(dir, name), { recursive: true, force: true });
  }
  if (oldTimestamped !== undefined) rmSync(join(dir, oldTimestamped), { recursive: true, force: true });
  return true;
}

function isSymlink(path: string): boolean {
  try {
    return lstatSync(path).isSymbolicLink();
  } catch {
    return false;
  }
}

/** Whether the timestamped directory holds exactly the payload, modes included. */
function sameContent(dir: string, payload: Payload): boolean {
  const files = listFiles(dir);
  if (files.length !== payload.size) return false;
  return files.every((path) => {
    const want = payload.get(path);
    if (!want) return false;
    const full = join(dir, path);
    return (lstatSync(full).mode & 0o777) === want.mode && Buffer.from(want.data).equals(readFileSync(full));
  });
}

function listFiles(dir: string, prefix = ""): string[] {
  return readdirSync(join(dir, prefix), { withFileTypes: true }).flatMap((e) => {
    const path = prefix ? `${prefix}/${e.name}` : e.name;
    return e.isDirectory() ? listFiles(dir, path) : [path];
  });
}

/**
 * Writes the pod's config volumes into their directories (`dirOf`); the first that cannot be set up
 * stops it, in the kubelet's FailedMount words. With `onlySetUp`, only volumes already written are
 * refreshed, and one that cannot be keeps its last content, as the kubelet keeps it.
 */
export function writeConfigVolumes(dirOf: (volume: string) => string, ctx: ConfigVolumeContext, onlySetUp = false): ConfigError | undefined {
  for (const volume of ctx.pod.spec?.volumes ?? []) {
    if (!isConfigVolume(volume)) continue;
    const dir = dirOf(volume.name);
    if (onlySetUp && !existsSync(join(dir, dataDir))) continue;
    const payload = configVolumePayload(volume, ctx);
    if (isConfigError(payload)) {
      if (onlySetUp) continue;
      return { configError: `MountVolume.SetUp failed for volume "${volume.name}" : ${payload.configError}`, failedMount: true };
    }
    writeAtomically(dir, payload);
  }
  return undefined;
}
