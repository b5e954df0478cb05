/** The cronjob controller's settings from the environment. */

/**
 * The clock schedules are read on. CAPSTAN_CRONJOB_CLOCK_OFFSET_MS runs it that many milliseconds ahead
 * of the machine's (tests: a controller that comes up past a minute it was down over, without waiting a
 * real minute); unset, it is the machine's clock itself.
 */
export function cronJobClock(env: NodeJS.ProcessEnv = process.env): () => Date {
  const raw = env["CAPSTAN_CRONJOB_CLOCK_OFFSET_MS"];
  if (raw === undefined || raw === "") return () => new Date();
  const offset = Number(raw);
  if (!Number.isSafeInteger(offset)) throw new Error(`CAPSTAN_CRONJOB_CLOCK_OFFSET_MS: not a whole number of milliseconds: ${raw}`);
  return () => new Date(Date.now() + offset);
}
