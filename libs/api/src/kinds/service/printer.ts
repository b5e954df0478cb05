/** `capctl get services`: type, addresses and ports (printers.go printService). */
import { age } from "@capstan/apimachinery";
import { itemsAt, mapSelectorText, NONE, textOr, valueAt } from "../../printing/cells.js";
import type { KindPrinter } from "../kind-printer.js";
import type { JsonObject } from "../kind-strategy.js";

/** PORT(S) of a service: `80/TCP`, or `80:30080/TCP` with a node port. */
export function servicePortsText(svc: JsonObject): string {
  const text = itemsAt(svc, "spec", "ports").map((p) => {
    const protocol = textOr(p["protocol"], "TCP");
    return p["nodePort"] ? `${String(p["port"])}:${String(p["nodePort"])}/${protocol}` : `${String(p["port"])}/${protocol}`;
  });
  return text.join(",") || NONE;
}

/** EXTERNAL-IP as kubectl computes it: the load balancer's ingress (or <pending>), externalIPs, an ExternalName's name. */
export function serviceExternalIPText(svc: JsonObject): string {
  const externalIPs = (valueAt(svc, "spec", "externalIPs") ?? []) as string[];
  switch (valueAt(svc, "spec", "type")) {
    case "ClusterIP":
    case "NodePort":
    case undefined:
      return externalIPs.join(",") || NONE;
    case "LoadBalancer": {
      const ingress = itemsAt(svc, "status", "loadBalancer", "ingress")
        .map((i) => textOr(i["ip"], "") || textOr(i["hostname"], ""))
        .filter((a) => a !== "");
      return [...ingress, ...externalIPs].join(",") || "<pending>";
    }
    case "ExternalName":
      return textOr(valueAt(svc, "spec", "externalName"));
    default:
      return "<unknown>";
  }
}

export const servicePrinter: KindPrinter = {
  headers: ["NAME", "TYPE", "CLUSTER-IP", "EXTERNAL-IP", "PORT(S)", "AGE"],
  wideHeaders: ["SELECTOR"],
  row: (svc, now) => [
    textOr(valueAt(svc, "metadata", "name")),
    textOr(valueAt(svc, "spec", "type"), "ClusterIP"),
    textOr(valueAt(svc, "spec", "clusterIP")),
    serviceExternalIPText(svc),
    servicePortsText(svc),
    age(valueAt(svc, "metadata", "creationTimestamp"), now),
  ],
  wide: (svc) => [mapSelectorText(valueAt(svc, "spec", "selector"))],
};
