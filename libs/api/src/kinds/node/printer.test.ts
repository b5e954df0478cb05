import { describe, expect, it } from "vitest";
import { printerRow } from "../../printing/table.js";
import { nodePrinter } from "./printer.js";

const created = "2026-01-01T00:00:00.000Z";
const now = Date.parse(created) + 65_000;
const opts = { wide: false, withNamespace: false, now };

describe("node STATUS column", () => {
  const aNode = (conditions: Array<Record<string, unknown>>, spec: Record<string, unknown> = {}) => ({
    metadata: { name: "node-1", creationTimestamp: created },
    spec,
    status: { conditions, nodeInfo: { kubeletVersion: "v0.1.0" } },
  });

  it.each([
    { name: "Ready True", node: aNode([{ type: "Ready", status: "True" }]), want: "Ready" },
    { name: "Ready False", node: aNode([{ type: "Ready", status: "False" }]), want: "NotReady" },
    { name: "Ready Unknown (silent node) prints as kubectl does", node: aNode([{ type: "Ready", status: "Unknown" }]), want: "NotReady" },
    { name: "no Ready condition", node: aNode([]), want: "Unknown" },
    { name: "cordoned", node: aNode([{ type: "Ready", status: "True" }], { unschedulable: true }), want: "Ready,SchedulingDisabled" },
  ])("$name → $want", ({ node, want }) => {
    expect(printerRow(nodePrinter, node, opts)[1]).toBe(want);
  });
});
