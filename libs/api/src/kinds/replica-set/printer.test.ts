import { describe, expect, it } from "vitest";
import { formatTable, printerColumns, printerRow } from "../../printing/table.js";
import { replicationControllerPrinter } from "../replication-controller/printer.js";
import { replicaSetPrinter } from "./printer.js";

const created = "2026-01-01T00:00:00.000Z";
const now = Date.parse(created) + 65_000;

describe("replica set tables", () => {
  const template = {
    metadata: { labels: { app: "web" } },
    spec: { containers: [{ name: "web", image: "nginx:1.27" }, { name: "sidecar", image: "busybox" }] },
  };
  const meta = { name: "web", namespace: "default", creationTimestamp: created };

  it.each([
    { kind: "ReplicaSet", printer: replicaSetPrinter, selector: { matchLabels: { app: "web", "pod-template-hash": "5d4f" } }, shown: "app=web,pod-template-hash=5d4f" },
    { kind: "ReplicationController", printer: replicationControllerPrinter, selector: { app: "web" }, shown: "app=web" },
  ])("prints a $kind as NAME DESIRED CURRENT READY AGE", ({ printer, selector, shown }) => {
    const o = { metadata: meta, spec: { replicas: 3, selector, template }, status: { replicas: 3, readyReplicas: 1 } };
    const opts = { wide: false, withNamespace: false, now };
    expect(formatTable(printerColumns(printer, opts), [printerRow(printer, o, opts)])).toBe(["NAME   DESIRED   CURRENT   READY   AGE", "web    3         3         1       65s"].join("\n"));
    expect(printerRow(printer, o, { wide: true, withNamespace: false, now }).slice(-3)).toEqual(["web,sidecar", "nginx:1.27,busybox", shown]);
  });
});
