import { describe, expect, it } from "vitest";
import { includeObjectOf, toTable, wantsTable } from "./table.js";

const created = "2026-01-01T00:00:00.000Z";
const now = Date.parse(created) + 65_000;
const pod = {
  apiVersion: "v1",
  kind: "Pod",
  metadata: { name: "web", namespace: "shop", creationTimestamp: created },
  spec: { nodeName: "node-1", containers: [{ name: "a" }] },
  status: { phase: "Running", podIP: "10.0.0.5", containerStatuses: [{ name: "a", ready: true, restartCount: 0 }] },
};

describe("wantsTable", () => {
  it.each([
    { name: "kubectl get", accept: "application/json;as=Table;v=v1;g=meta.k8s.io,application/json;as=Table;v=v1beta1;g=meta.k8s.io,application/json", table: true },
    { name: "kubectl get -o yaml", accept: "application/json", table: false },
    { name: "no Accept", accept: undefined, table: false },
    { name: "only v1beta1 tables", accept: "application/json;as=Table;v=v1beta1;g=meta.k8s.io", table: false },
  ])("$name: $table", ({ accept, table }) => {
    expect(wantsTable(accept)).toBe(table);
  });
});

describe("toTable", () => {
  it("has the kind's printer columns, the wide ones at priority 1, and a row of cells per object", () => {
    const table = toTable("Pod", [pod], "Metadata", { resourceVersion: "12" }, now);
    expect(table["columnDefinitions"]).toEqual(
      ["NAME", "READY", "STATUS", "RESTARTS", "AGE", "IP", "NODE", "NOMINATED NODE", "READINESS GATES"].map((name, i) => ({ name, type: "string", format: i === 0 ? "name" : "", description: "", priority: i < 5 ? 0 : 1 })),
    );
    expect(table["rows"]).toEqual([
      { cells: ["web", "1/1", "Running", "0", "65s", "10.0.0.5", "node-1", "<none>", "<none>"], object: { kind: "PartialObjectMetadata", apiVersion: "meta.k8s.io/v1", metadata: pod.metadata } },
    ]);
    expect(table).toMatchObject({ kind: "Table", apiVersion: "meta.k8s.io/v1", metadata: { resourceVersion: "12" } });
  });

  it.each([
    { include: "None" as const, object: undefined },
    { include: "Object" as const, object: pod },
  ])("includeObject=$include", ({ include, object }) => {
    const [row] = toTable("Pod", [pod], include, {}, now)["rows"] as { object?: unknown }[];
    expect(row!.object).toEqual(object);
  });

  it("refuses an includeObject it does not know", () => {
    expect(includeObjectOf(null)).toBe("Metadata");
    expect(() => includeObjectOf("All")).toThrow('includeObject: Unsupported value "All"');
  });
});
