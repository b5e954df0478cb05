/** `capctl get cronjobs` (printers.go printCronJob). */
import { age } from "@capstan/apimachinery";
import { itemsAt, NONE, selectorText, textOr, valueAt } from "../../printing/cells.js";
import { objectOf } from "../../object-view.js";
import { templateContainers } from "../../printing/workload.js";
import type { KindPrinter } from "../kind-printer.js";

/** printBoolPtr: an unset boolean is <unset>, not false. */
const boolPtrText = (value: unknown) => (value === undefined ? "<unset>" : value === true ? "True" : "False");

export const cronJobPrinter: KindPrinter = {
  headers: ["NAME", "SCHEDULE", "TIMEZONE", "SUSPEND", "ACTIVE", "LAST SCHEDULE", "AGE"],
  wideHeaders: ["CONTAINERS", "IMAGES", "SELECTOR"],
  row: (o, now) => {
    const lastSchedule = valueAt(o, "status", "lastScheduleTime");
    return [
      textOr(valueAt(o, "metadata", "name")),
      textOr(valueAt(o, "spec", "schedule"), ""),
      textOr(valueAt(o, "spec", "timeZone")),
      boolPtrText(valueAt(o, "spec", "suspend")),
      String(itemsAt(o, "status", "active").length),
      lastSchedule ? age(lastSchedule, now) : NONE,
      age(valueAt(o, "metadata", "creationTimestamp"), now),
    ];
  },
  wide: (o) => {
    const jobTemplate = objectOf(valueAt(o, "spec", "jobTemplate")) ?? {};
    return [...templateContainers(jobTemplate), selectorText(valueAt(jobTemplate, "spec", "selector"))];
  },
};
