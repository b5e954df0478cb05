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

/** An event is described by the generic dump, without a list of events about it. */
export const eventDescriber: KindDescriber = { events: false };
