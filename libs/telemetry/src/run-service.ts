import { initTelemetry, type Telemetry, type TelemetryOptions } from "./telemetry.js";

export interface ServiceContext {
  readonly telemetry: Telemetry;
  /** Stops the service as a signal would, flushes telemetry and exits with `code`. */
  exit(code: number): Promise<never>;
}

/** Stops what `start` started; called once. */
export type StopService = () => Promise<void>;

/**
 * The frame of every service process: telemetry set up once (its /metrics endpoint listening when
 * CAPSTAN_METRICS_LISTEN asks for one), then `start`; SIGTERM or SIGINT run the
 * stop it returned (once), flush telemetry and exit 0. A failure to start is one line on stderr and
 * exit 1, never a stack trace.
 */
export function runService(
  name: string,
  start: (ctx: ServiceContext) => Promise<StopService>,
  opts: TelemetryOptions | (() => TelemetryOptions) = {},
): void {
  const fail = (e: unknown): never => {
    console.error(`${name}: ${e instanceof Error ? e.message : String(e)}`);
    process.exit(1);
  };
  let telemetry: Telemetry;
  try {
    // A function lets the options come from the service's own configuration, failing as a start would.
    telemetry = initTelemetry(name, typeof opts === "function" ? opts() : opts);
  } catch (e) {
    return fail(e);
  }
  let stop: StopService | undefined;
  let exiting: Promise<never> | undefined;
  const exit = (code: number): Promise<never> =>
    (exiting ??= (async () => {
      try {
        await stop?.();
      } catch (e) {
        console.error(`${name}: stopping: ${e instanceof Error ? e.message : String(e)}`);
      }
      await telemetry.shutdown();
      process.exit(code);
    })());
  process.on("SIGTERM", () => void exit(0));
  process.on("SIGINT", () => void exit(0));
  telemetry
    .serveMetrics()
    .then(() => start({ telemetry, exit }))
    .then((s) => {
      stop = s;
    }, fail);
}
