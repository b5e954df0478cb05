/** How `capctl get pods` shows a pod: kubectl's READY, STATUS and RESTARTS (printers.go printPod). */
import { age } from "@capstan/apimachinery";
import { itemsAt, NONE, textOr } from "../../printing/cells.js";
import type { KindPrinter } from "../kind-printer.js";
import { podView, type ContainerStatusJson, type JsonObject } from "../../object-view.js";

/** The STATUS column as kubectl computes it: the most telling container reason, else the phase. */
export function podStatusText(pod: JsonObject): string {
  const view = podView(pod);
  if (view.metadata.deletionTimestamp !== undefined) return "Terminating";
  let reason = textOr(view.status["reason"], "") || textOr(view.phase, "Pending");
  const initializing = initStatusText(view.initContainerStatuses, view.initContainers.length, view.sidecarNames);
  const initialized = view.condition("Initialized")?.status === "True";
  if (initializing !== undefined && !initialized) return initializing;
  const statuses = view.containerStatuses;
  for (const c of statuses) {
    const waiting = c.state?.waiting?.reason;
    const terminated = c.state?.terminated;
    if (waiting && waiting !== "") reason = waiting;
    else if (terminated) reason = terminated.reason || (terminated.signal ? `Signal:${terminated.signal}` : `ExitCode:${terminated.exitCode ?? 0}`);
  }
  if (reason === "Pending" && view.nodeName && statuses.length === 0) return "ContainerCreating";
  return reason;
}

/**
 * While init containers run: the first one not yet succeeded (or, a sidecar, not yet started), as
 * `Init:N/M`, or its failure (`Init:Error`, `Init:CrashLoopBackOff`, `Init:ExitCode:3`); undefined once
 * all succeeded or started.
 */
function initStatusText(statuses: readonly ContainerStatusJson[], count: number, sidecars: ReadonlySet<string>): string | undefined {
  for (const [i, c] of statuses.entries()) {
    if (sidecars.has(c.name) && c.started) continue;
    const terminated = c.state?.terminated;
    const waiting = c.state?.waiting?.reason;
    if (terminated && (terminated.exitCode ?? 0) === 0) continue;
    if (terminated) return `Init:${terminated.reason || (terminated.signal ? `Signal:${terminated.signal}` : `ExitCode:${terminated.exitCode ?? 0}`)}`;
    if (waiting && waiting !== "PodInitializing") return `Init:${waiting}`;
    return `Init:${i}/${count}`;
  }
  return undefined;
}

/** RESTARTS as kubectl shows it: the count, and how long ago the latest restart was ("3 (42s ago)"). */
function restartsText(statuses: readonly ContainerStatusJson[], now: number): string {
  const restarts = statuses.reduce((n, c) => n + (c.restartCount ?? 0), 0);
  const finished = statuses.map((c) => c.lastState?.terminated?.finishedAt).filter((t): t is string => !!t).sort();
  const latest = finished.at(-1);
  return restarts > 0 && latest ? `${restarts} (${age(latest, now)} ago)` : String(restarts);
}

/** READINESS GATES as kubectl shows it: how many of the pod's gates have their condition True, `1/2`; <none> without gates. */
function readinessGatesText(pod: JsonObject): string {
  const view = podView(pod);
  const gates = itemsAt(pod, "spec", "readinessGates");
  if (gates.length === 0) return NONE;
  const met = gates.filter((g) => view.condition(String(g["conditionType"]))?.status === "True").length;
  return `${met}/${gates.length}`;
}

export const podPrinter: KindPrinter = {
  headers: ["NAME", "READY", "STATUS", "RESTARTS", "AGE"],
  wideHeaders: ["IP", "NODE", "NOMINATED NODE", "READINESS GATES"],
  row(pod, now) {
    const view = podView(pod);
    const statuses = view.containerStatuses;
    // Sidecars count as containers, as kubectl counts restartable init containers: ready once started and ready.
    const sidecars = view.sidecarNames;
    const readySidecars = view.initContainerStatuses.filter((c) => sidecars.has(c.name) && c.started && c.ready).length;
    const ready = statuses.filter((c) => c.ready).length + readySidecars;
    const restarts = restartsText([...view.initContainerStatuses, ...statuses], now);
    return [textOr(view.metadata.name), `${ready}/${view.containers.length + sidecars.size}`, podStatusText(pod), restarts, age(view.metadata.json["creationTimestamp"], now)];
  },
  wide: (pod) => {
    const view = podView(pod);
    return [textOr(view.podIP), textOr(view.nodeName), textOr(view.status["nominatedNodeName"]), readinessGatesText(pod)];
  },
};
