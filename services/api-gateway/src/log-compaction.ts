/**
 * Where `compact-log` compacts the event log to: the revision asked for, else the head minus the
 * revisions CAPSTAN_LOG_RETAIN_REVISIONS keeps — never past what the outbox relay has put on the stream,
 * since the relay reads the log after its last published revision and must find every event there.
 */
export interface CompactionBounds {
  /** The revision named on the command line, if any. */
  readonly requested: number | undefined;
  /** How many of the latest revisions the log keeps whole, if set. */
  readonly retainRevisions: number | undefined;
  readonly head: number;
  /** The last revision on the JetStream stream. */
  readonly relayed: number;
  /** Where the log is compacted to already. */
  readonly compacted: number;
}

/** The revision to compact to; undefined when there is nothing to do (already compacted that far). */
export function compactionTarget(b: CompactionBounds): number | undefined {
  let target: number;
  if (b.requested !== undefined) target = b.requested;
  else if (b.retainRevisions !== undefined) target = Math.max(0, b.head - b.retainRevisions);
  else throw new Error("name the revision to compact to (compact-log REVISION), or set CAPSTAN_LOG_RETAIN_REVISIONS");
  if (target > b.head) throw new Error(`revision ${target} is beyond the head of the log, ${b.head}`);
  if (target > b.relayed) {
    throw new Error(`revision ${target} is not on the event stream yet (it stands at ${b.relayed}); start the gateway so its relay catches up, then compact`);
  }
  return target > b.compacted ? target : undefined;
}
