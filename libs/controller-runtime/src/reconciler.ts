/**
 * How a reconcile ended when it did not throw: nothing more to do, or look again after a while
 * (waiting on time, not on a change, e.g. a pod's minReadySeconds). `requeueAfterMs: 0` means now.
 */
export interface ReconcileResult {
  readonly requeueAfterMs?: number;
}

/**
 * A controller's one function (controller-runtime's reconcile.Reconciler). The key is `namespace/name`
 * (or `name`): it carries no event and no object, so reconcile reads the current state from the
 * cache, compares it with what should be, and writes the difference. A thrown error retries the key
 * with back-off; a TerminalError is counted and not retried.
 */
export interface Reconciler {
  reconcile(key: string): Promise<ReconcileResult | void>;
}

const terminal = Symbol.for("capstan.controller.terminal-error");

/** A failure retrying cannot fix (the object asks for something impossible): logged, counted, not retried. */
export class TerminalError extends Error {
  readonly [terminal] = true;

  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "TerminalError";
  }
}

/** Checked by brand, so it holds across package copies. */
export function isTerminalError(e: unknown): e is TerminalError {
  return typeof e === "object" && e !== null && (e as { [terminal]?: unknown })[terminal] === true;
}
