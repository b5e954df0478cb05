import { describe, expect, it } from "vitest";
import { changeLine, diffObjects } from "./object-diff.js";
import type { Json } from "./printers.js";

const deployment = (over: { labels?: Json; image?: string; replicas?: number; resourceVersion?: string; status?: Json } = {}): Json => ({
  kind: "Deployment",
  metadata: { name: "web", resourceVersion: over.resourceVersion ?? "5", labels: over.labels ?? { app: "a" } },
  spec: {
    replicas: over.replicas ?? 1,
    template: { spec: { containers: [{ name: "web", image: over.image ?? "nginx:1" }] } },
  },
  ...(over.status ? { status: over.status } : {}),
});

describe("diffObjects", () => {
  it.each([
    { name: "no change", before: deployment(), after: deployment(), lines: [] },
    { name: "only the resourceVersion", before: deployment(), after: deployment({ resourceVersion: "9" }), lines: [] },
    {
      name: "managedFields are noise",
      before: deployment(),
      after: { ...deployment(), metadata: { ...(deployment().metadata as Json), managedFields: [{ manager: "capctl" }] } },
      lines: [],
    },
    { name: "a label changed", before: deployment(), after: deployment({ labels: { app: "b" } }), lines: ['~ metadata.labels.app: "a" → "b"'] },
    {
      name: "a label added, one removed",
      before: deployment({ labels: { app: "a", tier: "web" } }),
      after: deployment({ labels: { app: "a", "app.kubernetes.io/name": "web" } }),
      lines: ['- metadata.labels.tier: "web"', '+ metadata.labels["app.kubernetes.io/name"]: "web"'],
    },
    {
      name: "an image inside a list",
      before: deployment(),
      after: deployment({ image: "nginx:2" }),
      lines: ['~ spec.template.spec.containers[0].image: "nginx:1" → "nginx:2"'],
    },
    { name: "a number", before: deployment(), after: deployment({ replicas: 3 }), lines: ["~ spec.replicas: 1 → 3"] },
    {
      name: "a new subtree, leaf by leaf",
      before: deployment(),
      after: deployment({ status: { replicas: 1, conditions: [{ type: "Available" }], selector: {} } }),
      lines: ["+ status.replicas: 1", '+ status.conditions[0].type: "Available"', "+ status.selector: {}"],
    },
    {
      name: "a list grown and shrunk",
      before: { spec: { args: ["a", "b"] } },
      after: { spec: { args: ["a", "c", "d"] } },
      lines: ['~ spec.args[1]: "b" → "c"', '+ spec.args[2]: "d"'],
    },
    { name: "a value changing type", before: { data: { x: { y: 1 } } }, after: { data: { x: "y" } }, lines: ['~ data.x: {"y":1} → "y"'] },
    { name: "a removed subtree", before: { metadata: { annotations: { a: "1" } } }, after: { metadata: {} }, lines: ['- metadata.annotations.a: "1"'] },
  ])("$name", ({ before, after, lines }) => {
    expect(diffObjects(before, after).map(changeLine)).toEqual(lines);
  });
});
