import { describe, expect, it } from "vitest";
import { defaultPrinter, formatTable, printerColumns, printerRow } from "@capstan/api";
import { qualifiedResource, sortForDisplay, tableColumns, tableRow, withoutManagedFields } from "./printers.js";

const created = "2026-01-01T00:00:00.000Z";
const now = Date.parse(created) + 65_000;

describe("tables of any kind", () => {
  it("prints a kind with its strategy's printer, NAMESPACE first across namespaces", () => {
    const pod = { metadata: { name: "web", namespace: "shop", creationTimestamp: created }, spec: { containers: [{ name: "a" }] }, status: { phase: "Pending" } };
    const opts = { wide: false, withNamespace: true, now };
    expect(formatTable(tableColumns("Pod", opts), [tableRow("Pod", pod, opts)])).toBe(
      ["NAMESPACE   NAME   READY   STATUS    RESTARTS   AGE", "shop        web    0/1     Pending   0          65s"].join("\n"),
    );
  });

  it("prints kubectl's NAME and AGE for a kind without a printer, wide adds nothing", () => {
    const o = { metadata: { name: "settings", namespace: "shop", creationTimestamp: created } };
    const opts = { wide: true, withNamespace: true, now };
    expect(formatTable(printerColumns(defaultPrinter, opts), [printerRow(defaultPrinter, o, opts)])).toBe(["NAMESPACE   NAME       AGE", "shop        settings   65s"].join("\n"));
  });

  it("orders rows as the kind's printer does: events by when they last happened, others as listed", () => {
    const event = (name: string, lastTimestamp: string) => ({ metadata: { name }, lastTimestamp });
    const events = [event("late", "2026-01-01T00:00:09Z"), event("early", "2026-01-01T00:00:01Z")];
    expect(sortForDisplay("Event", events).map((e) => (e["metadata"] as { name: string }).name)).toEqual(["early", "late"]);
    expect(sortForDisplay("Pod", events).map((e) => (e["metadata"] as { name: string }).name)).toEqual(["late", "early"]);
  });
});

describe("qualifiedResource", () => {
  it.each([
    { kind: "Pod", want: "pod" },
    { kind: "Deployment", want: "deployment.apps" },
    { kind: "ReplicaSet", want: "replicaset.apps" },
    { kind: "ReplicationController", want: "replicationcontroller" },
  ])("$kind → $want", ({ kind, want }) => {
    expect(qualifiedResource(kind)).toBe(want);
  });
});

describe("withoutManagedFields", () => {
  it("leaves metadata.managedFields out, as kubectl prints -o yaml|json without --show-managed-fields, and the rest as it was", () => {
    const entry = { manager: "kubectl", operation: "Apply", apiVersion: "v1", time: created, fieldsType: "FieldsV1", fieldsV1: { "f:data": { "f:a": {} } } };
    const object = { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "c", managedFields: [entry] }, data: { a: "1" } };
    expect(withoutManagedFields(object)).toEqual({ apiVersion: "v1", kind: "ConfigMap", metadata: { name: "c" }, data: { a: "1" } });
    expect(object.metadata.managedFields).toEqual([entry]);
    const bare = { kind: "ConfigMap", metadata: { name: "c" } };
    expect(withoutManagedFields(bare)).toBe(bare);
  });
});
