import { describe, expect, it } from "vitest";
import { QUANTITY_FORMAT_MESSAGE, type FieldError, type JsonObject } from "@capstan/apimachinery";
import { validateObject } from "../../validation.js";

function aLimitRange(item: JsonObject): JsonObject {
  return { apiVersion: "v1", kind: "LimitRange", metadata: { name: "limits", namespace: "default" }, spec: { limits: [item] } };
}

describe("LimitRange validation", () => {
  it.each<{ name: string; item: JsonObject; errors: FieldError[] }>([
    { name: "bounds in order", item: { type: "Container", min: { cpu: "100m" }, max: { cpu: "1" }, default: { cpu: "500m" } }, errors: [] },
    { name: "a max alone (it becomes the default limit and request)", item: { type: "Container", max: { memory: "1Gi" } }, errors: [] },
    {
      name: "an unknown type",
      item: { type: "Node", max: { cpu: "1" } },
      errors: [{ path: "spec.limits[0].type", message: 'Unsupported value "Node": supported values: "Container", "Pod", "PersistentVolumeClaim"' }],
    },
    {
      name: "a min above the max",
      item: { type: "Container", min: { cpu: "2" }, max: { cpu: "1" } },
      errors: [
        { path: "spec.limits[0].min[cpu]", message: 'Invalid value "2": min value 2 is greater than max value 1' },
        { path: "spec.limits[0].min[cpu]", message: 'Invalid value "2": min value 2 is greater than default request value 1' },
      ],
    },
    {
      name: "a default request above the default limit",
      item: { type: "Container", default: { cpu: "100m" }, defaultRequest: { cpu: "200m" } },
      errors: [{ path: "spec.limits[0].defaultRequest[cpu]", message: 'Invalid value "200m": default request value 200m is greater than default limit value 100m' }],
    },
    {
      // Defaulting copies the max into the default limit and request before validation, as Kubernetes'.
      name: "a quantity that is not one, in the max and the defaults made from it",
      item: { type: "Container", max: { cpu: "lots" } },
      errors: ["max", "default", "defaultRequest"].map((list) => ({ path: `spec.limits[0].${list}[cpu]`, message: `Invalid value "lots": ${QUANTITY_FORMAT_MESSAGE}` })),
    },
  ])("$name", ({ item, errors }) => {
    expect(validateObject("LimitRange", aLimitRange(item))).toEqual(errors);
  });
});
