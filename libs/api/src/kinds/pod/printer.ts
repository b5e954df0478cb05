/** How `capctl get pods` shows a pod: kubectl's READY, STATUS and RESTARTS (printers.go printPod). */
import { age } from "@capstan/apimachinery";
import { itemsAt, textOr, valueAt } from "../../printing/cells.js";
import type { KindPrinter } from "../kind-printer.js";
import type { JsonObject } from "../kind-strategy.js";

interface ContainerStatus {
  ready?: boolean;
  restartCount?: number;
  lastState?: { terminated?: { finishedAt?: string } };
  state?: { waiting?: { reason?: string }; terminated?: { reason?: string; exitCode?: number; signal?: number } };
}

/** The STATUS column as kubectl computes it: the most telling container reason, else the phase. */
export function podStatusText(pod: JsonObject): string {
  if (valueAt(pod, "metadata", "deletionTimestamp")) return "Terminating";
  let reason = textOr(valueAt(pod, "status", "reason"), "") || textOr(valueAt(pod, "status", "phase"), "Pending");
  const statuses = itemsAt(pod, "status", "containerStatuses") as ContainerStatus[];
  for (const c of statuses) {
    const waiting = c.state?.waiting?.reason;
    const terminated = c.state?.terminated;
    if (waiting && waiting !== "") reason = waiting;
    else if (terminated) reason = terminated.reason || (terminated.signal ? `Signal:${terminated.signal}` : `ExitCode:${terminated.exitCode ?? 0}`);
  }
  if (reason === "Pending" && valueAt(pod, "spec", "nodeName") && statuses.length === 0) return "ContainerCreating";
  return reason;
}

/** RESTARTS as kubectl shows it: the count, and how long ago the latest restart was ("3 (42s ago)"). */
function restartsText(statuses: readonly ContainerStatus[], now: number): string {
  const restarts = statuses.reduce((n, c) => n + (c.restartCount ?? 0), 0);
  const finished = statuses.map((c) => c.lastState?.terminated?.finishedAt).filter((t): t is string => !!t).sort();
  const latest = finished.at(-1);
  return restarts > 0 && latest ? `${restarts} (${age(latest, now)} ago)` : String(restarts);
}

export const podPrinter: KindPrinter = {
  headers: ["NAME", "READY", "STATUS", "RESTARTS", "AGE"],
  wideHeaders: ["IP", "NODE"],
  row(pod, now) {
    const statuses = itemsAt(pod, "status", "containerStatuses") as ContainerStatus[];
    const total = itemsAt(pod, "spec", "containers").length;
    const ready = statuses.filter((c) => c.ready).length;
    return [textOr(valueAt(pod, "metadata", "name")), `${ready}/${total}`, podStatusText(pod), restartsText(statuses, now), age(valueAt(pod, "metadata", "creationTimestamp"), now)];
  },
  wide: (pod) => [textOr(valueAt(pod, "status", "podIP")), textOr(valueAt(pod, "spec", "nodeName"))],
};
