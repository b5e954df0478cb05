import { fromApiObject, arrayOf, metaOf, specOf, statusOf, type JsonObject } from "@capstan/api";
import { isCapstanError, NotFoundError, type ObjectKey } from "@capstan/apimachinery";
import type { CapstanClient, Stream } from "@capstan/client";
import { durationText } from "../duration.js";
import type { Json } from "../printers.js";
import { deploymentRef } from "./rollout.js";

/** Where a rollout stands, as kubectl's DeploymentStatusViewer says it; a failed one is a value, not a throw. */
export type RolloutStatus =
  | { readonly phase: "Waiting"; readonly message: string }
  | { readonly phase: "Complete"; readonly message: string }
  | { readonly phase: "Failed"; readonly message: string };

const num = (v: unknown): number => (typeof v === "number" ? v : 0);

/**
 * A Deployment's rollout: waiting until the controller has seen the latest spec, every replica is
 * updated, no old replica is left and every updated one is available; failed once Progressing says
 * ProgressDeadlineExceeded.
 */
export function deploymentRolloutStatus(deployment: Json): RolloutStatus {
  const meta = metaOf(deployment).json;
  const spec = specOf(deployment);
  const status = statusOf(deployment);
  const name = String(meta["name"] ?? "");
  if (num(meta["generation"]) > num(status["observedGeneration"])) {
    return { phase: "Waiting", message: "Waiting for deployment spec update to be observed..." };
  }
  const progressing = arrayOf<JsonObject>(status["conditions"]).find((c) => c["type"] === "Progressing");
  if (progressing?.["reason"] === "ProgressDeadlineExceeded") return { phase: "Failed", message: `deployment "${name}" exceeded its progress deadline` };
  const waiting = (what: string): RolloutStatus => ({ phase: "Waiting", message: `Waiting for deployment "${name}" rollout to finish: ${what}...` });
  const [replicas, updated, total, available] = [spec["replicas"], status["updatedReplicas"], status["replicas"], status["availableReplicas"]].map(num) as [number, number, number, number];
  if (typeof spec["replicas"] === "number" && updated < replicas) return waiting(`${updated} out of ${replicas} new replicas have been updated`);
  if (total > updated) return waiting(`${total - updated} old replicas are pending termination`);
  if (available < updated) return waiting(`${available} of ${updated} updated replicas are available`);
  return { phase: "Complete", message: `deployment "${name}" successfully rolled out` };
}

export interface RolloutStatusOptions {
  readonly namespace: string;
  /** Keep watching until done (the default); false prints the status once. */
  readonly watch: boolean;
  /** Give up after this long; 0 waits for ever. */
  readonly timeoutMs: number;
}

type StatusClient = Pick<CapstanClient, "list" | "watch">;

/** The Deployment and the revision to watch from, by a list so the watch misses nothing after it. */
async function listDeployment(client: StatusClient, key: ObjectKey): Promise<{ deployment: Json; resourceVersion: string }> {
  const list = await client.list({ kind: "Deployment", namespace: key.namespace, fieldSelector: `metadata.name=${key.name}` });
  const [found] = list.items;
  if (!found) throw new NotFoundError(key);
  return { deployment: fromApiObject(found).json, resourceVersion: list.resourceVersion };
}

/**
 * kubectl rollout status: prints each new status line until the rollout completes (exit 0), fails
 * (an error), or the timeout passes (an error). A watch the gateway ends is resumed from a fresh list.
 */
export async function rolloutStatus(client: StatusClient, args: string[], opts: RolloutStatusOptions): Promise<void> {
  const ref = deploymentRef(args, "status");
  const key = { kind: ref.kind, namespace: opts.namespace, name: ref.name };
  let last = "";
  /** True once the rollout is complete. */
  const report = (deployment: Json): boolean => {
    const status = deploymentRolloutStatus(deployment);
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
      const events = client.watch({ kind: "Deployment", namespace: key.namespace, fieldSelector: `metadata.name=${key.name}`, resourceVersion });
      stream = events;
      try {
        for await (const e of events) {
          if (e.type === "DELETED") throw new Error(`deployment "${key.name}" was deleted while waiting for its rollout`);
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
    throw new Error(`timed out waiting for the condition: deployment "${key.name}" did not finish its rollout within ${durationText(opts.timeoutMs)}`);
  } finally {
    clearTimeout(timer);
    stream?.cancel();
  }
}
