import { fromApiObject } from "@capstan/api";
import { isCapstanError, NotFoundError, type ObjectKey } from "@capstan/apimachinery";
import type { CapstanClient, Stream } from "@capstan/client";
import { durationText } from "../duration.js";
import type { Json } from "../printers.js";
import { rolloutRef } from "../rollout-kinds.js";

export interface RolloutStatusOptions {
  readonly namespace: string;
  /** Keep watching until done (the default); false prints the status once. */
  readonly watch: boolean;
  /** Give up after this long; 0 waits for ever. */
  readonly timeoutMs: number;
}

type StatusClient = Pick<CapstanClient, "list" | "watch">;

/** The object and the revision to watch from, by a list so the watch misses nothing after it. */
async function listDeployment(client: StatusClient, key: ObjectKey): Promise<{ deployment: Json; resourceVersion: string }> {
  const list = await client.list({ kind: key.kind, namespace: key.namespace, fieldSelector: `metadata.name=${key.name}` });
  const [found] = list.items;
  if (!found) throw new NotFoundError(key);
  return { deployment: fromApiObject(found).json, resourceVersion: list.resourceVersion };
}

/**
 * kubectl rollout status: prints each new status line until the rollout completes (exit 0), fails
 * (an error), or the timeout passes (an error). A watch the gateway ends is resumed from a fresh list.
 */
export async function rolloutStatus(client: StatusClient, args: string[], opts: RolloutStatusOptions): Promise<void> {
  const ref = rolloutRef(args, "status");
  const word = ref.kind.toLowerCase();
  const key = { kind: ref.kind, namespace: opts.namespace, name: ref.name };
  let last = "";
  /** True once the rollout is complete. */
  const report = (deployment: Json): boolean => {
    const status = ref.rollout.status(deployment);
    if (status.phase === "Failed") throw new Error(status.message);
    if (status.message !== last) console.log(status.message);
    last = status.message;
    return status.phase === "Complete";
  };

  let timedOut = false;
  let stream: Stream<unknown> | undefined;
  const timer =
    opts.watch && opts.timeoutMs > 0
      ? setTimeout(() => {
          timedOut = true;
          stream?.cancel();
        }, opts.timeoutMs)
      : undefined;
  try {
    let { deployment, resourceVersion } = await listDeployment(client, key);
    if (report(deployment) || !opts.watch) return;
    while (!timedOut) {
      const events = client.watch({ kind: key.kind, namespace: key.namespace, fieldSelector: `metadata.name=${key.name}`, resourceVersion });
      stream = events;
      try {
        for await (const e of events) {
          if (e.type === "DELETED") throw new Error(`${word} "${key.name}" was deleted while waiting for its rollout`);
          if (e.object && report(fromApiObject(e.object).json)) return;
        }
      } catch (e) {
        // The revision to resume from is gone: start over from a fresh list.
        if (!isCapstanError(e, "Expired")) throw e;
      }
      if (timedOut) break;
      ({ deployment, resourceVersion } = await listDeployment(client, key));
      if (report(deployment)) return;
    }
    throw new Error(`timed out waiting for the condition: ${word} "${key.name}" did not finish its rollout within ${durationText(opts.timeoutMs)}`);
  } finally {
    clearTimeout(timer);
    stream?.cancel();
  }
}
