import { describe, expect, it } from "vitest";
import type { DescribeLookup } from "../kind-printer.js";
import { deploymentDescriber } from "./describe.js";

const none: DescribeLookup = { get: async () => undefined, list: async () => [] };

const deployment = {
  metadata: {
    name: "web",
    namespace: "default",
    creationTimestamp: "2026-03-01T12:00:00Z",
    labels: { app: "web" },
    annotations: { "team.example/owner": "ops", "deployment.kubernetes.io/revision": "2", "team.example/notes": "line one\nline two" },
  },
  spec: {
    replicas: 2,
    selector: { matchLabels: { app: "web" } },
    strategy: { type: "RollingUpdate", rollingUpdate: { maxUnavailable: "25%", maxSurge: "25%" } },
    template: {
      metadata: { labels: { app: "web" } },
      spec: { containers: [{ name: "web", image: "nginx", resources: { limits: { memory: "128Mi" }, requests: { cpu: "100m", memory: "64Mi" } } }] },
    },
  },
};

describe("describe deployment", () => {
  it("opens as kubectl's describeDeployment: labels, then annotations sorted as `key: value`, then the selector", async () => {
    const lines = await deploymentDescriber.sections!(deployment, none);
    expect(lines.slice(0, 9)).toEqual([
      "Name:             web",
      "Namespace:        default",
      "CreationTimestamp: 2026-03-01T12:00:00Z",
      "Labels:           app=web",
      "Annotations:      deployment.kubernetes.io/revision: 2",
      "                  team.example/notes:",
      "                    line one",
      "                    line two",
      "                  team.example/owner: ops",
    ]);
    expect(lines[9]).toBe("Selector:         app=web");
  });

  it("shows the template's Limits and Requests", async () => {
    const text = (await deploymentDescriber.sections!(deployment, none)).join("\n");
    expect(text).toContain(["    Limits:", "      memory:  128Mi", "    Requests:", "      cpu:     100m", "      memory:  64Mi"].join("\n"));
  });
});
