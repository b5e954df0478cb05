import { isCapstanError, UnavailableError } from "@capstan/apimachinery";
import type { Mutation } from "./mutation.js";
import type { StoredEvent } from "./stored-event.js";

/** Commits a batch in one transaction; one outcome per mutation, or throws if the transaction failed. */
export type CommitBatch = (mutations: Mutation[]) => Promise<(StoredEvent | Error)[]>;

/** What one group-commit transaction did, for EventStoreOptions.onCommitBatch. */
export interface CommitBatchObservation {
  /** Mutations the transaction took (committed or refused). */
  readonly batchSize: number;
  /** Kinds of the events it committed, one entry per event. */
  readonly committedKinds: readonly string[];
  readonly durationSeconds: number;
  /** The revision of its last committed event, or undefined when it committed none. */
  readonly lastRevision: number | undefined;
}

interface Pending {
  mutation: Mutation;
  resolve(event: StoredEvent): void;
  reject(error: Error): void;
}

/**
 * One transaction in flight at a time; mutations that arrive meanwhile queue up and go together in the
 * next one, so batches grow with load and throughput with concurrency, while each caller still hears
 * back only after its own commit.
 */
export class GroupCommit {
  readonly #commitBatch: CommitBatch;
  readonly #maxBatch: number;
  readonly #observe: ((o: CommitBatchObservation) => void) | undefined;
  #queue: Pending[] = [];
  #draining: Promise<void> | undefined;

  constructor(commitBatch: CommitBatch, maxBatch: number, observe?: (o: CommitBatchObservation) => void) {
    this.#commitBatch = commitBatch;
    this.#maxBatch = maxBatch;
    this.#observe = observe;
  }

  submit(mutation: Mutation): Promise<StoredEvent> {
    return new Promise((resolve, reject) => {
      this.#queue.push({ mutation, resolve, reject });
      this.#draining ??= this.#drain();
    });
  }

  /** Resolves once every submitted mutation has settled. */
  idle(): Promise<void> {
    return this.#draining ?? Promise.resolve();
  }

  async #drain(): Promise<void> {
    // Let the callers of this tick queue up, so a burst starts as one batch rather than one plus the rest.
    await Promise.resolve();
    while (this.#queue.length > 0) {
      const batch = this.#queue.splice(0, this.#maxBatch);
      let outcomes: (StoredEvent | Error)[];
      const started = performance.now();
      try {
        outcomes = await this.#commitBatch(batch.map((p) => p.mutation));
        this.#report(batch.length, outcomes, started);
      } catch (cause) {
        const error = isCapstanError(cause) ? cause : new UnavailableError(`event store write failed: ${cause instanceof Error ? cause.message : String(cause)}`, { cause });
        for (const p of batch) p.reject(error);
        continue;
      }
      for (let i = 0; i < batch.length; i++) {
        const outcome = outcomes[i];
        const p = batch[i]!;
        if (outcome instanceof Error) p.reject(outcome);
        else if (outcome) p.resolve(outcome);
        else p.reject(new Error(`group commit returned ${outcomes.length} outcomes for ${batch.length} mutations`));
      }
    }
    this.#draining = undefined;
  }

  #report(batchSize: number, outcomes: (StoredEvent | Error)[], startedMs: number): void {
    if (!this.#observe) return;
    const committed = outcomes.filter((o): o is StoredEvent => !(o instanceof Error));
    this.#observe({
      batchSize,
      committedKinds: committed.map((e) => e.kind),
      durationSeconds: (performance.now() - startedMs) / 1000,
      lastRevision: committed.reduce<number | undefined>((last, e) => Math.max(last ?? 0, e.revision), undefined),
    });
  }
}
