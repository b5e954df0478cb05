import { InvalidError } from "@capstan/apimachinery";
import { JetStreamApiCodes } from "@nats-io/jetstream";
import { Kvm, type KV, type KvEntry } from "@nats-io/kv";
import type { NatsConnection } from "@nats-io/transport-node";

export interface LeaderElectionConfig {
  /** The lease's key in the bucket: the controller's name. */
  readonly name: string;
  /** Unique per process (host and pid, or pod name): whoever holds the lease. */
  readonly identity: string;
  /** How long others wait, after the last renewal they saw, before taking over. Default 15 s. */
  readonly leaseDurationMs?: number;
  /** A leader that could not renew for this long stops leading. Default 2/3 of the lease. */
  readonly renewDeadlineMs?: number;
  /** Pause between attempts after a failure, and between a candidate's looks at the lease. Default 1/6 of the lease. */
  readonly retryPeriodMs?: number;
}

/** What the lease key holds. */
export interface LeaseRecord {
  readonly holder: string;
  readonly acquireTime: string;
  readonly renewTime: string;
  readonly leaseDurationMs: number;
}

/**
 * Why leading ended: `stopped` by `stop()`; `lost` when another candidate wrote the lease (this one
 * was presumed dead); `renew-deadline-exceeded` when the store could not be reached in time. After the
 * last two, the process should exit and let its supervisor restart it as a candidate.
 */
export type StoppedLeadingReason = "stopped" | "lost" | "renew-deadline-exceeded";

export interface LeaderElection {
  readonly isLeader: boolean;
  /**
   * Ends the election: a leader calls onStoppedLeading, waits for it, then (by default) gives the lease
   * up so a candidate takes over at once. `release: false` leaves the lease to expire, as a crash would.
   */
  stop(opts?: { release?: boolean }): Promise<void>;
}

export interface LeaderElector {
  /**
   * Campaigns for the lease `config.name` until stopped. Once leading, `onStartedLeading` runs with a
   * signal that aborts when leading ends, just before `onStoppedLeading` is called. An election ends
   * for good when leading ends: a new one needs a new call.
   */
  runWhenLeader(
    config: LeaderElectionConfig,
    onStartedLeading: (leading: AbortSignal) => void | Promise<void>,
    onStoppedLeading: (reason: StoppedLeadingReason) => void | Promise<void>,
  ): LeaderElection;
}

export interface LeaderElectorOptions {
  readonly nc: NatsConnection;
  /** The installation's stream prefix; the leases live in bucket `<prefix>_leases`. */
  readonly prefix: string;
  readonly log?: (message: string) => void;
}

export function leaseBucketName(prefix: string): string {
  return `${prefix.replaceAll(/[^A-Za-z0-9_-]/g, "_")}_leases`;
}

/** Leader election on a NATS KV bucket: each lease is one key, written only with compare-and-set. */
export async function createLeaderElector(opts: LeaderElectorOptions): Promise<LeaderElector> {
  const kv = await new Kvm(opts.nc).create(leaseBucketName(opts.prefix), { history: 1 });
  const log = opts.log ?? ((message: string) => console.log(message));
  return {
    runWhenLeader: (config, onStartedLeading, onStoppedLeading) =>
      new KvLeaderElection(kv, config, onStartedLeading, onStoppedLeading, log),
  };
}

const encoder = new TextEncoder();

class KvLeaderElection implements LeaderElection {
  private readonly name: string;
  private readonly identity: string;
  private readonly leaseDurationMs: number;
  private readonly renewDeadlineMs: number;
  private readonly renewIntervalMs: number;
  private readonly retryPeriodMs: number;

  private stopped = false;
  private leading = false;
  /** The lease entry's revision this leader last wrote: its next compare-and-set. */
  private revision = 0;
  private acquiredAt = 0;
  private deadline: ReturnType<typeof setTimeout> | undefined;
  private leadingSignal: AbortController | undefined;
  private stoppedLeading: Promise<void> | undefined;
  private stopping: Promise<void> | undefined;
  /** While onStoppedLeading runs: a stop() from inside it must not wait for itself. */
  private notifying = false;
  /** When this candidate first saw the lease's current revision, by its own clock. */
  private observed: { revision: number; at: number } | undefined;
  private sleeper: { done(): void; wakeable: boolean } | undefined;
  /** Set by the watch, so a change seen while no one sleeps is not missed. */
  private leaseChanged = false;
  private watcher: { stop(): void } | undefined;
  private readonly loop: Promise<void>;

  constructor(
    private readonly kv: KV,
    config: LeaderElectionConfig,
    private readonly onStartedLeading: (leading: AbortSignal) => void | Promise<void>,
    private readonly onStoppedLeading: (reason: StoppedLeadingReason) => void | Promise<void>,
    private readonly log: (message: string) => void,
  ) {
    this.name = config.name;
    this.identity = config.identity;
    this.leaseDurationMs = config.leaseDurationMs ?? 15_000;
    this.renewDeadlineMs = config.renewDeadlineMs ?? (this.leaseDurationMs * 2) / 3;
    this.retryPeriodMs = config.retryPeriodMs ?? this.leaseDurationMs / 6;
    // The deadline must leave room for more than one renewal.
    this.renewIntervalMs = Math.min(this.leaseDurationMs / 3, this.renewDeadlineMs / 2);
    // A leader must give up before anyone may take over, or two would lead at once.
    if (!(this.renewDeadlineMs < this.leaseDurationMs)) {
      throw new InvalidError("leader election config", [
        { path: "renewDeadlineMs", message: `must be less than leaseDurationMs (${this.leaseDurationMs})` },
      ]);
    }
    this.loop = this.run();
  }

  get isLeader(): boolean {
    return this.leading;
  }

  stop(opts: { release?: boolean } = {}): Promise<void> {
    if (this.notifying) return Promise.resolve();
    this.stopping ??= this.shutDown(opts.release !== false);
    return this.stopping;
  }

  private async shutDown(release: boolean): Promise<void> {
    this.stopped = true;
    this.sleeper?.done();
    await this.loop;
    const wasLeading = this.leading;
    await this.stopLeading("stopped");
    if (wasLeading && release) await this.release();
  }

  // Compare-and-set on our own revision: never removes a lease someone else has taken since.
  private async release(): Promise<void> {
    await this.kv.delete(this.name, { previousSeq: this.revision }).catch((e: unknown) => {
      this.log(`leader election ${this.name}: releasing the lease: ${errorMessage(e)}`);
    });
  }

  private async run(): Promise<void> {
    this.watchLease();
    while (!this.stopped && !(await this.tryAcquire())) {
      await this.sleep(this.nextLookMs(), true);
    }
    if (this.stopped) return;
    this.startLeading();
    let delay = this.renewIntervalMs;
    while (!this.stopped && this.leading) {
      await this.sleep(delay, false);
      if (this.stopped || !this.leading) return;
      delay = (await this.renew()) ? this.renewIntervalMs : this.retryPeriodMs;
    }
  }

  /** Takes the lease if it is free, expired, or already ours; true when this candidate now holds it. */
  private async tryAcquire(): Promise<boolean> {
    const attemptedAt = Date.now();
    // What changed before this read, the read sees.
    this.leaseChanged = false;
    try {
      const entry = await this.kv.get(this.name);
      if (this.stopped) return false;
      if (!entry || entry.operation !== "PUT") {
        this.revision = await this.kv.create(this.name, this.record(attemptedAt, attemptedAt));
      } else {
        this.observe(entry.revision);
        const held = decodeRecord(entry, this.leaseDurationMs);
        const expired = Date.now() >= this.observed!.at + held.leaseDurationMs;
        if (held.holder !== this.identity && held.holder !== "" && !expired) return false;
        this.revision = await this.kv.update(this.name, this.record(attemptedAt, attemptedAt), entry.revision);
      }
      if (this.stopped) {
        await this.release();
        return false;
      }
      this.acquiredAt = attemptedAt;
      this.armDeadline(attemptedAt);
      return true;
    } catch (e) {
      // Another candidate wrote first: look again at once.
      if (isWrongLastSequence(e)) return false;
      this.log(`leader election ${this.name}: acquiring the lease: ${errorMessage(e)}`);
      await this.sleep(this.retryPeriodMs, false);
      return false;
    }
  }

  /** One renewal; false when it failed and should be retried soon. */
  private async renew(): Promise<boolean> {
    const attemptedAt = Date.now();
    try {
      const revision = await this.kv.update(this.name, this.record(this.acquiredAt, attemptedAt), this.revision);
      if (!this.leading) return false;
      this.revision = revision;
      this.armDeadline(attemptedAt);
      return true;
    } catch (e) {
      if (isWrongLastSequence(e)) {
        this.log(`leader election ${this.name}: lease taken over by another candidate`);
        void this.stopLeading("lost");
      } else {
        this.log(`leader election ${this.name}: renewing the lease: ${errorMessage(e)}`);
      }
      return false;
    }
  }

  private startLeading(): void {
    this.leading = true;
    this.leadingSignal = new AbortController();
    this.log(`leader election ${this.name}: ${this.identity} is leading`);
    Promise.resolve()
      .then(() => (this.leading ? this.onStartedLeading(this.leadingSignal!.signal) : undefined))
      .catch((e: unknown) => this.log(`leader election ${this.name}: onStartedLeading: ${errorMessage(e)}`));
  }

  private stopLeading(reason: StoppedLeadingReason): Promise<void> {
    this.stoppedLeading ??= this.finish(reason);
    return this.stoppedLeading;
  }

  private async finish(reason: StoppedLeadingReason): Promise<void> {
    const wasLeading = this.leading;
    this.leading = false;
    this.stopped = true;
    clearTimeout(this.deadline);
    this.sleeper?.done();
    this.watcher?.stop();
    if (!wasLeading) return;
    this.leadingSignal?.abort();
    if (reason !== "stopped") this.log(`leader election ${this.name}: ${this.identity} stopped leading: ${reason}`);
    this.notifying = true;
    try {
      await this.onStoppedLeading(reason);
    } catch (e) {
      this.log(`leader election ${this.name}: onStoppedLeading: ${errorMessage(e)}`);
    } finally {
      this.notifying = false;
    }
  }

  /** Leading ends when no renewal has succeeded for renewDeadline, counted from when the last one was sent. */
  private armDeadline(renewedAt: number): void {
    clearTimeout(this.deadline);
    const remaining = renewedAt + this.renewDeadlineMs - Date.now();
    this.deadline = setTimeout(() => void this.stopLeading("renew-deadline-exceeded"), Math.max(0, remaining));
  }

  /**
   * Expiry is measured on this candidate's clock from when it saw the lease change, as client-go
   * does, so clocks that disagree between hosts cannot make two leaders.
   */
  private observe(revision: number): void {
    if (this.observed?.revision !== revision) this.observed = { revision, at: Date.now() };
  }

  private nextLookMs(): number {
    if (!this.observed) return this.retryPeriodMs;
    const untilExpiry = this.observed.at + this.leaseDurationMs - Date.now();
    return Math.max(0, Math.min(this.retryPeriodMs, untilExpiry));
  }

  /** Watching the key tells a candidate of a renewal (or a release) at once, not at its next look. */
  private watchLease(): void {
    this.kv
      .watch({ key: this.name })
      .then(async (watcher) => {
        this.watcher = watcher;
        if (this.stopped) watcher.stop();
        for await (const entry of watcher) {
          if (entry.operation === "PUT") this.observe(entry.revision);
          if (!this.leading) this.leaseHasChanged();
        }
      })
      .catch((e: unknown) => {
        if (!this.stopped) this.log(`leader election ${this.name}: watching the lease: ${errorMessage(e)}`);
      });
  }

  /** Waits `ms`, or less when stopped or (if `wakeable`) when the lease has changed meanwhile. */
  private sleep(ms: number, wakeable: boolean): Promise<void> {
    if (this.stopped) return Promise.resolve();
    if (wakeable && this.leaseChanged) {
      this.leaseChanged = false;
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.sleeper = undefined;
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.sleeper = { done, wakeable };
    });
  }

  private leaseHasChanged(): void {
    if (this.sleeper?.wakeable) this.sleeper.done();
    else this.leaseChanged = true;
  }

  private record(acquiredAt: number, renewedAt: number): Uint8Array {
    const record: LeaseRecord = {
      holder: this.identity,
      acquireTime: new Date(acquiredAt).toISOString(),
      renewTime: new Date(renewedAt).toISOString(),
      leaseDurationMs: this.leaseDurationMs,
    };
    return encoder.encode(JSON.stringify(record));
  }
}

function decodeRecord(entry: KvEntry, fallbackDurationMs: number): LeaseRecord {
  try {
    const r = entry.json<Partial<LeaseRecord>>();
    return {
      holder: typeof r.holder === "string" ? r.holder : "",
      acquireTime: r.acquireTime ?? "",
      renewTime: r.renewTime ?? "",
      leaseDurationMs: typeof r.leaseDurationMs === "number" ? r.leaseDurationMs : fallbackDurationMs,
    };
  } catch {
    // Not ours to read: treat it as held, so it expires like any lease instead of being seized at once.
    return { holder: "?", acquireTime: "", renewTime: "", leaseDurationMs: fallbackDurationMs };
  }
}

function isWrongLastSequence(e: unknown): boolean {
  const code = (e as { code?: unknown } | null)?.code;
  return code === JetStreamApiCodes.StreamWrongLastSequence || code === JetStreamApiCodes.StreamWrongLastSequenceUnknown;
}

function errorMessage(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
