/** The scheduler's public face: the loop, for main and for benchmarks that drive it without a gateway. */
export { Scheduler } from "./scheduler.js";
export type { SchedulerOptions } from "./scheduler.js";
export type { SchedulerConfiguration } from "./framework/profile.js";
