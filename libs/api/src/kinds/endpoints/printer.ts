/** `capctl get endpoints`: each ready address with its ports (printers.go formatEndpoints). */
import { age } from "@capstan/apimachinery";
import { itemsAt, listWithMore, NONE, textOr, valueAt } from "../../printing/cells.js";
import type { KindPrinter } from "../kind-printer.js";
import type { JsonObject } from "../kind-strategy.js";

/** ENDPOINTS of an Endpoints object: `ip:port` for every ready address and port (just `ip` without ports). */
export function endpointsText(ep: JsonObject): string {
  const items: string[] = [];
  for (const subset of itemsAt(ep, "subsets")) {
    const addresses = itemsAt(subset, "addresses").map((a) => String(a["ip"]));
    const ports = itemsAt(subset, "ports");
    if (ports.length === 0) items.push(...addresses);
    for (const port of ports) items.push(...addresses.map((ip) => (ip.includes(":") ? `[${ip}]:${String(port["port"])}` : `${ip}:${String(port["port"])}`)));
  }
  return listWithMore(items, NONE);
}

export const endpointsPrinter: KindPrinter = {
  headers: ["NAME", "ENDPOINTS", "AGE"],
  row: (ep, now) => [textOr(valueAt(ep, "metadata", "name")), endpointsText(ep), age(valueAt(ep, "metadata", "creationTimestamp"), now)],
};
