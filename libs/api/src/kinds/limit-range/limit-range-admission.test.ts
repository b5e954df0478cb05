import { describe, expect, it } from "vitest";
import type { JsonObject } from "@capstan/apimachinery";
import { LimitRange } from "../../gen/capstan/v1/core.js";
import { toKubernetesJSON } from "../../kinds.js";
import { admitPodLimits } from "./limit-range-admission.js";
import { defaultLimitRange } from "./strategy.js";

function limitRange(item: JsonObject): JsonObject {
  const lr = LimitRange.fromJSON({ metadata: { name: "limits", namespace: "default" }, spec: { limits: [{ type: "Container", ...item }] } });
  return toKubernetesJSON("LimitRange", defaultLimitRange(lr));
}

function pod(resources: JsonObject): JsonObject {
  return { apiVersion: "v1", kind: "Pod", metadata: { name: "web", namespace: "default" }, spec: { containers: [{ name: "app", image: "nginx", resources }] } };
}

function admitted(resources: JsonObject, item: JsonObject) {
  const result = admitPodLimits(pod(resources), [limitRange(item)]);
  if ("error" in result) return { error: result.error.message };
  const spec = result.pod["spec"] as { containers: { resources: JsonObject }[] };
  const annotations = (result.pod["metadata"] as JsonObject)["annotations"] as Record<string, string> | undefined;
  return { resources: spec.containers[0]?.resources, annotation: annotations?.["kubernetes.io/limit-ranger"] };
}

describe("LimitRanger", () => {
  it.each([
    {
      name: "defaults the requests and limits a container names none of",
      resources: {},
      item: { default: { cpu: "500m", memory: "256Mi" }, defaultRequest: { cpu: "250m" } },
      want: {
        resources: { requests: { cpu: "250m", memory: "256Mi" }, limits: { cpu: "500m", memory: "256Mi" } },
        annotation: "LimitRanger plugin set: cpu, memory request for container app; cpu, memory limit for container app",
      },
    },
    {
      name: "keeps what the container names",
      resources: { requests: { cpu: "100m" }, limits: { cpu: "200m" } },
      item: { default: { cpu: "500m" } },
      want: { resources: { requests: { cpu: "100m" }, limits: { cpu: "200m" } }, annotation: undefined },
    },
    {
      name: "the max is the default limit when no default is given",
      resources: {},
      item: { max: { cpu: "1" } },
      want: { resources: { requests: { cpu: "1" }, limits: { cpu: "1" } }, annotation: "LimitRanger plugin set: cpu request for container app; cpu limit for container app" },
    },
    {
      name: "refuses a limit above the max",
      resources: { requests: { cpu: "2" }, limits: { cpu: "2" } },
      item: { max: { cpu: "1" } },
      want: { error: 'pods "web" is forbidden: maximum cpu usage per Container is 1, but limit is 2' },
    },
    {
      name: "refuses a request below the min",
      resources: { requests: { memory: "10Mi" }, limits: { memory: "10Mi" } },
      item: { min: { memory: "64Mi" } },
      want: { error: 'pods "web" is forbidden: minimum memory usage per Container is 64Mi, but request is 10Mi' },
    },
    {
      name: "refuses a limit too far above the request, and lists every violation",
      resources: { requests: { cpu: "100m" }, limits: { cpu: "2" } },
      item: { max: { cpu: "1" }, maxLimitRequestRatio: { cpu: "4" } },
      want: { error: 'pods "web" is forbidden: [maximum cpu usage per Container is 1, but limit is 2, cpu max limit to request ratio per Container is 4, but provided ratio is 20.000000]' },
    },
  ])("$name", ({ resources, item, want }) => {
    expect(admitted(resources, item)).toEqual(want);
  });

  it("defaults init containers too, named after the containers in the annotation", () => {
    const withInit = { ...pod({}), spec: { initContainers: [{ name: "setup", image: "busybox" }], containers: [{ name: "app", image: "nginx" }] } };
    const result = admitPodLimits(withInit, [limitRange({ default: { cpu: "200m" } })]);
    expect(result).toMatchObject({
      pod: {
        metadata: { annotations: { "kubernetes.io/limit-ranger": "LimitRanger plugin set: cpu request for container app; cpu limit for container app; cpu request for init container setup; cpu limit for init container setup" } },
        spec: { initContainers: [{ resources: { requests: { cpu: "200m" }, limits: { cpu: "200m" } } }] },
      },
    });
  });
});
