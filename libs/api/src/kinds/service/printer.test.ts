import { describe, expect, it } from "vitest";
import { formatTable, printerColumns, printerRow } from "../../printing/table.js";
import { servicePrinter } from "./printer.js";

const created = "2026-01-01T00:00:00.000Z";
const now = Date.parse(created) + 65_000;
const opts = { wide: false, withNamespace: false, now };
const meta = (name: string) => ({ name, namespace: "default", creationTimestamp: created });

describe("service table", () => {
  it("prints kubectl's service columns for each type", () => {
    const services = [
      { metadata: meta("web"), spec: { type: "ClusterIP", clusterIP: "10.96.0.2", ports: [{ port: 80, protocol: "TCP" }] } },
      { metadata: meta("np"), spec: { type: "NodePort", clusterIP: "10.96.0.3", ports: [{ port: 80, protocol: "TCP", nodePort: 30080 }, { port: 53, protocol: "UDP", nodePort: 30053 }] } },
      { metadata: meta("lb"), spec: { type: "LoadBalancer", clusterIP: "10.96.0.4", ports: [{ port: 443, protocol: "TCP", nodePort: 30443 }] }, status: { loadBalancer: { ingress: [{ ip: "127.0.0.1" }] } } },
      { metadata: meta("lb-new"), spec: { type: "LoadBalancer", clusterIP: "10.96.0.5", ports: [{ port: 443, protocol: "TCP", nodePort: 30444 }] } },
      { metadata: meta("headless"), spec: { type: "ClusterIP", clusterIP: "None" } },
      { metadata: meta("db"), spec: { type: "ExternalName", externalName: "db.example.com" } },
    ];
    expect(formatTable(printerColumns(servicePrinter, opts), services.map((s) => printerRow(servicePrinter, s, opts)))).toBe(
      [
        "NAME       TYPE           CLUSTER-IP   EXTERNAL-IP      PORT(S)                     AGE",
        "web        ClusterIP      10.96.0.2    <none>           80/TCP                      65s",
        "np         NodePort       10.96.0.3    <none>           80:30080/TCP,53:30053/UDP   65s",
        "lb         LoadBalancer   10.96.0.4    127.0.0.1        443:30443/TCP               65s",
        "lb-new     LoadBalancer   10.96.0.5    <pending>        443:30444/TCP               65s",
        "headless   ClusterIP      None         <none>           <none>                      65s",
        "db         ExternalName   <none>       db.example.com   <none>                      65s",
      ].join("\n"),
    );
  });
});
