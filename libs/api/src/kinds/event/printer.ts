/** `capctl get events`: when, what and about which object, oldest first (printers.go printEvent). */
import { age } from "@capstan/apimachinery";
import { textOr, valueAt } from "../../printing/cells.js";
import type { KindDescriber, KindPrinter } from "../kind-printer.js";

export const eventPrinter: KindPrinter = {
  headers: ["LAST SEEN", "TYPE", "REASON", "OBJECT", "MESSAGE"],
  row(ev, now) {
    const obj = `${String(valueAt(ev, "involvedObject", "kind")).toLowerCase()}/${textOr(valueAt(ev, "involvedObject", "name"))}`;
    return [age(valueAt(ev, "lastTimestamp") ?? valueAt(ev, "metadata", "creationTimestamp"), now), textOr(valueAt(ev, "type")), textOr(valueAt(ev, "reason")), obj, textOr(valueAt(ev, "message"), "")];
  },
  compare: (a, b) => String(a["lastTimestamp"]).localeCompare(String(b["lastTimestamp"])),
};

/**
 * When an event happened, as kubectl describe and kubectl events show it: its age, or for an event
 * seen again, `10s (x3 over 2m)` — since it was last seen, how often, since it was first seen.
 */
export function eventInterval(ev: Record<string, unknown>, now = Date.now()): string {
  const first = age(valueAt(ev, "firstTimestamp") ?? valueAt(ev, "metadata", "creationTimestamp"), now);
  const count = Number(valueAt(ev, "count") ?? 1);
  return count > 1 ? `${age(valueAt(ev, "lastTimestamp"), now)} (x${count} over ${first})` : first;
}

/** An event is described by the generic dump, without a list of events about it. */
export const eventDescriber: KindDescriber = { events: false };
