/** The job controller's settings from the environment. */
import type { JobPlanOptions } from "./job-plan.js";

/** Kubernetes' DefaultJobPodFailureBackOff. */
const DEFAULT_BACKOFF_BASE_MS = 10_000;
/** The documented cap on the delay between retries: six minutes. */
const MAX_BACKOFF_MS = 6 * 60_000;

/** CAPSTAN_JOB_BACKOFF_BASE_MS shortens the first retry's delay (tests); the cap stays six minutes. */
export function jobControllerConfig(env: NodeJS.ProcessEnv = process.env): JobPlanOptions {
  const raw = env["CAPSTAN_JOB_BACKOFF_BASE_MS"];
  const base = raw === undefined || raw === "" ? DEFAULT_BACKOFF_BASE_MS : Number(raw);
  if (!Number.isFinite(base) || base < 0) throw new Error(`CAPSTAN_JOB_BACKOFF_BASE_MS: not a non-negative number: ${raw}`);
  return { backoffBaseMs: base, backoffMaxMs: MAX_BACKOFF_MS };
}
