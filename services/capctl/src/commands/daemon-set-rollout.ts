import { metaOf, specOf, statusOf } from "@capstan/api";
import type { Json } from "../printers.js";
import type { RolloutStatus } from "./rollout-status.js";

const num = (v: unknown): number => (typeof v === "number" ? v : 0);

/**
 * A DaemonSet's rollout, as kubectl's DaemonSetStatusViewer says it: only a RollingUpdate has one; it
 * waits until the controller has seen the latest spec, every desired node runs an updated pod, and
 * every one is available.
 */
export function daemonSetRolloutStatus(ds: Json): RolloutStatus {
  const meta = metaOf(ds).json;
  const name = String(meta["name"] ?? "");
  const strategy = String((specOf(ds)["updateStrategy"] as Json | undefined)?.["type"] ?? "");
  if (strategy !== "RollingUpdate") throw new Error("rollout status is only available for RollingUpdate strategy type");
  const status = statusOf(ds);
  if (num(meta["generation"]) > num(status["observedGeneration"])) return { phase: "Waiting", message: "Waiting for daemon set spec update to be observed..." };
  const [desired, updated, available] = [status["desiredNumberScheduled"], status["updatedNumberScheduled"], status["numberAvailable"]].map(num) as [number, number, number];
  const waiting = (what: string): RolloutStatus => ({ phase: "Waiting", message: `Waiting for daemon set "${name}" rollout to finish: ${what}...` });
  if (updated < desired) return waiting(`${updated} out of ${desired} new pods have been updated`);
  if (available < desired) return waiting(`${available} of ${desired} updated pods are available`);
  return { phase: "Complete", message: `daemon set "${name}" successfully rolled out` };
}
