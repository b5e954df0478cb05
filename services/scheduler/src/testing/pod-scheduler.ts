import { VolumeCache } from "../cache/volume-cache.js";
import type { Framework } from "../framework/framework.js";
import { frameworkFor, resolveProfile, type ProfileConfig } from "../framework/profile.js";
import { PodScheduler } from "../framework/schedule-one.js";
import { DEFAULT_PLUGINS, registry, type Handle } from "../plugins/registry.js";
import type { ClaimBinder } from "../plugins/volume-binding/volume-binding.js";
import { Nominator } from "../queue/nominator.js";

/** A ClaimBinder whose claims bind at once, for tests that do not look at volume binding. */
export const immediateClaimBinder: ClaimBinder = { assumeSelectedNode: () => {}, revertSelectedNode: () => {}, selectNode: async () => {}, waitForBound: async () => true };

export interface PodSchedulerHarness {
  readonly scheduler: PodScheduler;
  readonly nominator: Nominator;
  /** Pods preemption evicted, as `name@node`, in order. */
  readonly evicted: string[];
}

/** A PodScheduler on the default plugins (or `profile`) with an in-memory handle: no gateway, evictions recorded. */
export function aPodScheduler(opts: { percentage?: number; random?: () => number; profile?: ProfileConfig; nominator?: Nominator } = {}): PodSchedulerHarness {
  const evicted: string[] = [];
  const nominator = opts.nominator ?? new Nominator();
  let framework: Framework | undefined;
  const handle: Handle = {
    bindPod: async () => {},
    nodeCount: () => 0,
    volumes: new VolumeCache(),
    claimBinder: immediateClaimBinder,
    runFilter: (state, pod, node) => framework!.runFilterWithNominatedPods(state, pod, node),
    nominator,
    evictPod: (victim, _preemptor, nodeName) => void evicted.push(`${victim.name}@${nodeName}`),
  };
  framework = frameworkFor(resolveProfile(opts.profile ?? {}, "default-scheduler", DEFAULT_PLUGINS, registry, handle), registry, handle, nominator);
  const scheduler = new PodScheduler(framework, {
    percentageOfNodesToScore: opts.percentage ?? 0,
    ...(opts.random ? { random: opts.random } : {}),
  });
  return { scheduler, nominator, evicted };
}
