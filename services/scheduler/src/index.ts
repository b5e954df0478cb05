/** The scheduler's public face: the loop, for main and for benchmarks that drive it without a gateway. */
export { Scheduler } from "./scheduler.js";
export type { SchedulerOptions } from "./scheduler.js";
export type { SchedulerConfiguration } from "./framework/profile.js";
// The predicates the DaemonSet controller shares with the scheduler (Kubernetes' daemon controller
// calls the same component-helpers): whether a node matches a pod's affinity and tolerates its taints.
export { podMatchesNodeSelectorAndAffinity } from "./plugins/node-affinity/node-affinity.js";
export { findUntoleratedTaint } from "./plugins/taint-toleration/taint-toleration.js";
