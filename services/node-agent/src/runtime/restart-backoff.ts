/**
 * The kubelet's `flowcontrol.Backoff`, as its container restarts (`doBackOff`) and image pulls use it:
 * the first restart is immediate, then each restart waits base, 2·base, 4·base … capped, counted from the
 * moment the container finished; a container that ran longer than `resetAfterMs` since its last restart
 * starts over at base. A failed image pull backs off the same way, from the failed attempt.
 */
export interface RestartBackoffOptions {
  baseMs: number;
  capMs: number;
  resetAfterMs: number;
}

export const defaultRestartBackoff: RestartBackoffOptions = { baseMs: 10_000, capMs: 300_000, resetAfterMs: 600_000 };

interface Entry {
  backoffMs: number;
  lastRestartMs: number;
}

export class RestartBackoff {
  private readonly entries = new Map<string, Entry>();

  constructor(private readonly opts: RestartBackoffOptions = defaultRestartBackoff) {}

  /** How long to wait, from `nowMs`, before restarting a container that finished at `finishedAtMs`. */
  delayMs(key: string, finishedAtMs: number, nowMs: number): number {
    const entry = this.entries.get(key);
    if (!entry || finishedAtMs - entry.lastRestartMs > this.opts.resetAfterMs) return 0;
    return Math.max(0, entry.backoffMs - (nowMs - finishedAtMs));
  }

  /** Whether an attempt at `nowMs` is still within the back-off of the last one (kubelet's IsInBackOffSinceUpdate). */
  isInBackOffSinceUpdate(key: string, nowMs: number): boolean {
    const entry = this.entries.get(key);
    if (!entry || nowMs - entry.lastRestartMs > this.opts.resetAfterMs) return false;
    return nowMs - entry.lastRestartMs < entry.backoffMs;
  }

  /** The back-off that applies after an attempt (a restart, a pull) at `nowMs`: what the next one waits. */
  next(key: string, nowMs: number): void {
    const entry = this.entries.get(key);
    if (!entry || nowMs - entry.lastRestartMs > this.opts.resetAfterMs) {
      this.entries.set(key, { backoffMs: this.opts.baseMs, lastRestartMs: nowMs });
      return;
    }
    entry.backoffMs = Math.min(entry.backoffMs * 2, this.opts.capMs);
    entry.lastRestartMs = nowMs;
  }

  /** The back-off that a wait of `delayMs` belongs to, for messages ("back-off 20s"). */
  currentMs(key: string): number {
    return this.entries.get(key)?.backoffMs ?? 0;
  }

  forget(key: string): void {
    this.entries.delete(key);
  }
}

export type RestartPolicy = "Always" | "OnFailure" | "Never";

export function restartPolicyOf(value: string | undefined): RestartPolicy {
  return value === "OnFailure" || value === "Never" ? value : "Always";
}

export function shouldRestartContainer(policy: RestartPolicy, exitCode: number): boolean {
  switch (policy) {
    case "Always":
      return true;
    case "OnFailure":
      return exitCode !== 0;
    case "Never":
      return false;
  }
}
