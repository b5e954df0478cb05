/** `capctl get endpointslices`: address type, ports and addresses (printers.go printEndpointSlice). */
import { age } from "@capstan/apimachinery";
import { itemsAt, listWithMore, textOr, valueAt } from "../../printing/cells.js";
import type { KindPrinter } from "../kind-printer.js";

export const endpointSlicePrinter: KindPrinter = {
  headers: ["NAME", "ADDRESSTYPE", "PORTS", "ENDPOINTS", "AGE"],
  row(slice, now) {
    const ports = itemsAt(slice, "ports").map((p) => (typeof p["port"] === "number" ? String(p["port"]) : textOr(p["name"], "*")));
    const addresses = itemsAt(slice, "endpoints").flatMap((e) => (e["addresses"] ?? []) as string[]);
    return [
      textOr(valueAt(slice, "metadata", "name")),
      textOr(slice["addressType"]),
      listWithMore(ports, "<unset>"),
      listWithMore(addresses, "<unset>"),
      age(valueAt(slice, "metadata", "creationTimestamp"), now),
    ];
  },
};
