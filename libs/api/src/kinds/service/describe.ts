/** `capctl describe service`: addresses, then each port with its target and node port, then the endpoints. */
import { itemsAt, mapSelectorText, NONE, valueAt } from "../../printing/cells.js";
import { DescribeWriter } from "../../printing/describe-writer.js";
import { endpointsText } from "../endpoints/printer.js";
import type { DescribeLookup, KindDescriber } from "../kind-printer.js";
import { specOf, type JsonObject } from "../../object-view.js";

/** kubectl describe service, given the Endpoints line (its same-named Endpoints, or <none>). */
export function describeServiceText(svc: JsonObject, endpoints: string): readonly string[] {
  const w = new DescribeWriter();
  const spec = specOf(svc);
  w.objectMeta(svc);
  w.field(0, "Selector", mapSelectorText(spec["selector"]));
  w.field(0, "Type", spec["type"]);
  if (spec["ipFamilyPolicy"]) w.field(0, "IP Family Policy", spec["ipFamilyPolicy"]);
  if (Array.isArray(spec["ipFamilies"])) w.field(0, "IP Families", spec["ipFamilies"].join(","));
  w.field(0, "IP", spec["clusterIP"]);
  if (Array.isArray(spec["clusterIPs"])) w.field(0, "IPs", spec["clusterIPs"].join(","));
  if (Array.isArray(spec["externalIPs"]) && spec["externalIPs"].length) w.field(0, "External IPs", spec["externalIPs"].join(","));
  if (spec["type"] === "ExternalName") w.field(0, "External Name", spec["externalName"]);
  const ingress = itemsAt(svc, "status", "loadBalancer", "ingress").map((i) => String(i["ip"] || i["hostname"] || ""));
  if (spec["type"] === "LoadBalancer") w.field(0, "LoadBalancer Ingress", ingress.join(", "));
  const ports = itemsAt(spec, "ports");
  for (const port of ports) {
    const name = port["name"] ? String(port["name"]) : "<unset>";
    const protocol = String(port["protocol"] ?? "TCP");
    w.field(0, "Port", `${name}  ${String(port["port"])}/${protocol}`);
    const target = port["targetPort"];
    w.field(0, "TargetPort", typeof target === "number" ? `${target}/${protocol}` : String(target ?? ""));
    if (port["nodePort"]) w.field(0, "NodePort", `${name}  ${String(port["nodePort"])}/${protocol}`);
    w.field(0, "Endpoints", endpoints);
  }
  if (ports.length === 0) w.field(0, "Endpoints", endpoints);
  w.field(0, "Session Affinity", spec["sessionAffinity"]);
  if (spec["externalTrafficPolicy"]) w.field(0, "External Traffic Policy", spec["externalTrafficPolicy"]);
  if (spec["internalTrafficPolicy"]) w.field(0, "Internal Traffic Policy", spec["internalTrafficPolicy"]);
  return w.lines;
}

async function describeService(svc: JsonObject, lookup: DescribeLookup): Promise<readonly string[]> {
  const endpoints = await lookup.get("Endpoints", String(valueAt(svc, "metadata", "namespace") ?? ""), String(valueAt(svc, "metadata", "name")));
  return describeServiceText(svc, endpoints ? endpointsText(endpoints) : NONE);
}

export const serviceDescriber: KindDescriber = { sections: describeService };
