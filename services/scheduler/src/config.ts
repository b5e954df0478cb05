import { readSchedulerConfiguration, type SchedulerConfiguration } from "./framework/profile.js";

export interface SchedulerConfig {
  readonly gateway: string;
  readonly natsUrl: string;
  readonly prefix: string;
  readonly schedulerName: string;
  /** The flush interval: the longest an unschedulable pod waits without a cluster event that may help it (60 s). */
  readonly unschedulableRetryMs: number;
  /** Profiles, plugins and weights, from the file CAPSTAN_SCHEDULER_CONFIG names (kube-scheduler's defaults without one). */
  readonly configuration: SchedulerConfiguration;
}

export function loadConfig(): SchedulerConfig {
  const env = process.env;
  return {
    gateway: env["CAPSTAN_GATEWAY"] ?? "127.0.0.1:7470",
    natsUrl: env["NATS_URL"] ?? "nats://127.0.0.1:4222",
    prefix: env["CAPSTAN_PREFIX"] ?? "capstan",
    schedulerName: env["CAPSTAN_SCHEDULER_NAME"] ?? "default-scheduler",
    unschedulableRetryMs: Number(env["CAPSTAN_UNSCHEDULABLE_RETRY_MS"] ?? 60_000),
    configuration: readSchedulerConfiguration(env["CAPSTAN_SCHEDULER_CONFIG"]),
  };
}
