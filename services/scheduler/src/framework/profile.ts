/**
 * Which plugins a scheduler profile runs at each extension point, and with what weight and args: a
 * subset of kube-scheduler's KubeSchedulerConfiguration (v1) — `percentageOfNodesToScore`, and per
 * profile `schedulerName`, `plugins` (multiPoint and per-point enabled/disabled, `*` disables all) and
 * `pluginConfig`. What is left out of the file keeps the defaults.
 */
import { readFileSync } from "node:fs";
import type { PodNominator } from "../queue/nominator.js";
import { Framework, type FrameworkPlugins, type WeightedScorePlugin } from "./framework.js";
import { isBind, isQueueSort, isFilter, isPermit, isPostFilter, isPreBind, isPreFilter, isPreScore, isReserve, isScore, type Plugin, type QueueSortPlugin } from "./interface.js";

export const EXTENSION_POINTS = ["queueSort", "preFilter", "filter", "postFilter", "preScore", "score", "reserve", "permit", "preBind", "bind"] as const;
export type ExtensionPoint = (typeof EXTENSION_POINTS)[number];

export interface PluginRef {
  readonly name: string;
  readonly weight?: number;
}

export interface PluginSet {
  readonly enabled?: readonly PluginRef[];
  readonly disabled?: readonly PluginRef[];
}

export interface ProfileConfig {
  readonly schedulerName?: string;
  readonly plugins?: Partial<Record<ExtensionPoint | "multiPoint", PluginSet>>;
  readonly pluginConfig?: readonly { readonly name: string; readonly args?: unknown }[];
}

export interface SchedulerConfiguration {
  /** 0 (the default) is adaptive; see numFeasibleNodesToFind. */
  readonly percentageOfNodesToScore?: number;
  readonly profiles?: readonly ProfileConfig[];
}

export type PluginFactory<H> = (args: unknown, handle: H) => Plugin;
export type Registry<H> = ReadonlyMap<string, PluginFactory<H>>;

/** One resolved profile: its name, plugins per point (in run order) and score weights. */
export interface Profile {
  readonly schedulerName: string;
  readonly plugins: Readonly<Record<ExtensionPoint, readonly PluginRef[]>>;
  readonly args: ReadonlyMap<string, unknown>;
}

export class ConfigError extends Error {
  override readonly name = "ConfigError";
}

const implementsPoint: Record<ExtensionPoint, (p: Plugin) => boolean> = {
  queueSort: isQueueSort,
  preFilter: isPreFilter,
  filter: isFilter,
  postFilter: isPostFilter,
  preScore: isPreScore,
  score: isScore,
  reserve: isReserve,
  permit: isPermit,
  preBind: isPreBind,
  bind: isBind,
};

/** Reads CAPSTAN_SCHEDULER_CONFIG's file: JSON (which is also YAML); a YAML-only syntax is refused with a clear error. */
export function readSchedulerConfiguration(path: string | undefined): SchedulerConfiguration {
  if (!path) return {};
  const text = readFileSync(path, "utf8");
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (e) {
    throw new ConfigError(`${path}: not JSON (write the configuration in YAML's JSON form): ${e instanceof Error ? e.message : String(e)}`);
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) throw new ConfigError(`${path}: expected an object`);
  const config = parsed as SchedulerConfiguration;
  const p = config.percentageOfNodesToScore;
  if (p !== undefined && (!Number.isInteger(p) || p < 0 || p > 100)) {
    throw new ConfigError(`${path}: percentageOfNodesToScore must be an integer in 0..100, got ${String(p)}`);
  }
  return config;
}

/**
 * Merges a profile's config over the default plugin list, as kube-scheduler does: multiPoint first
 * (disable, then enable or re-weight), then each point's own disabled and enabled plugins — those
 * enabled at a point run before the multiPoint ones.
 */
export function resolveProfile<H>(
  config: ProfileConfig,
  defaultSchedulerName: string,
  defaults: readonly PluginRef[],
  registry: Registry<H>,
  handle: H,
): Profile {
  const schedulerName = config.schedulerName ?? defaultSchedulerName;
  const known = (ref: PluginRef) => {
    if (!registry.has(ref.name)) throw new ConfigError(`profile ${schedulerName}: unknown plugin ${ref.name}`);
  };
  const multiPoint = applySet(defaults, config.plugins?.multiPoint, known);
  const args = new Map<string, unknown>((config.pluginConfig ?? []).map((c) => [c.name, c.args]));
  // One instance per plugin, to learn which points it implements.
  const probe = new Map<string, Plugin>();
  const instance = (name: string): Plugin => {
    let p = probe.get(name);
    if (!p) probe.set(name, (p = registry.get(name)!(args.get(name), handle)));
    return p;
  };
  const plugins = {} as Record<ExtensionPoint, readonly PluginRef[]>;
  for (const point of EXTENSION_POINTS) {
    const fromMultiPoint = multiPoint.filter((ref) => implementsPoint[point](instance(ref.name)));
    const set = config.plugins?.[point];
    const kept = applySet(fromMultiPoint, { ...(set?.disabled ? { disabled: set.disabled } : {}) }, known);
    const explicit = (set?.enabled ?? []).map((ref) => {
      known(ref);
      if (!implementsPoint[point](instance(ref.name))) throw new ConfigError(`profile ${schedulerName}: plugin ${ref.name} has no ${point} extension`);
      return ref;
    });
    plugins[point] = [...explicit, ...kept.filter((ref) => !explicit.some((e) => e.name === ref.name))];
  }
  return { schedulerName, plugins, args };
}

function applySet(base: readonly PluginRef[], set: PluginSet | undefined, known: (ref: PluginRef) => void): PluginRef[] {
  const disabled = set?.disabled ?? [];
  let out = disabled.some((d) => d.name === "*") ? [] : base.filter((ref) => !disabled.some((d) => d.name === ref.name));
  for (const ref of set?.enabled ?? []) {
    known(ref);
    const i = out.findIndex((r) => r.name === ref.name);
    if (i >= 0) out[i] = { ...out[i]!, ...ref };
    else out = [...out, ref];
  }
  return out;
}

/** Instantiates a resolved profile's plugins (one instance per name) into a Framework. */
export function frameworkFor<H>(profile: Profile, registry: Registry<H>, handle: H, nominator?: PodNominator): Framework {
  const instances = new Map<string, Plugin>();
  const get = (name: string): Plugin => {
    let p = instances.get(name);
    if (!p) instances.set(name, (p = registry.get(name)!(profile.args.get(name), handle)));
    return p;
  };
  const at = <T extends Plugin>(point: ExtensionPoint) => profile.plugins[point].map((ref) => get(ref.name) as T);
  const queueSort = profile.plugins.queueSort[0];
  const plugins: FrameworkPlugins = {
    ...(queueSort ? { queueSort: get(queueSort.name) as QueueSortPlugin } : {}),
    preFilter: at("preFilter"),
    filter: at("filter"),
    postFilter: at("postFilter"),
    preScore: at("preScore"),
    score: profile.plugins.score.map((ref): WeightedScorePlugin => ({ plugin: get(ref.name) as WeightedScorePlugin["plugin"], weight: ref.weight ?? 1 })),
    reserve: at("reserve"),
    permit: at("permit"),
    preBind: at("preBind"),
    bind: at("bind"),
  };
  return new Framework(profile.schedulerName, plugins, nominator);
}
