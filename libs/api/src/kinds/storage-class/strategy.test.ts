import { describe, expect, it } from "vitest";
import { isCapstanError, type FieldError, type JsonObject, type ObjectKey } from "@capstan/apimachinery";
import { decideUpdate } from "../../object-decisions.js";
import { validateObject } from "../../validation.js";
import { StorageClass } from "../../gen/capstan/v1/storage.js";
import { defaultStorageClass } from "./strategy.js";

const key: ObjectKey = { kind: "StorageClass", namespace: "", name: "fast" };

function aStorageClass(fields: JsonObject = {}): JsonObject {
  return { apiVersion: "storage.k8s.io/v1", kind: "StorageClass", metadata: { name: "fast" }, provisioner: "capstan.io/local-path", ...fields };
}

describe("StorageClass defaults", () => {
  it("deletes volumes with their claim and binds at once unless it says otherwise", () => {
    expect(defaultStorageClass(StorageClass.fromJSON(aStorageClass()))).toMatchObject({ reclaimPolicy: "Delete", volumeBindingMode: "Immediate" });
    expect(defaultStorageClass(StorageClass.fromJSON(aStorageClass({ reclaimPolicy: "Retain", volumeBindingMode: "WaitForFirstConsumer" })))).toMatchObject({
      reclaimPolicy: "Retain",
      volumeBindingMode: "WaitForFirstConsumer",
    });
  });
});

describe("StorageClass validation", () => {
  it.each<{ name: string; fields: JsonObject; errors: FieldError[] }>([
    { name: "a provisioner and nothing else", fields: {}, errors: [] },
    { name: "every field", fields: { parameters: { type: "ssd" }, reclaimPolicy: "Retain", volumeBindingMode: "WaitForFirstConsumer", allowVolumeExpansion: true, mountOptions: ["ro"], allowedTopologies: [{ matchLabelExpressions: [{ key: "kubernetes.io/hostname", values: ["node-1"] }] }] }, errors: [] },
    { name: "no provisioner", fields: { provisioner: "" }, errors: [{ path: "provisioner", message: "Required value" }] },
    {
      name: "a provisioner that is no qualified name",
      fields: { provisioner: "local path" },
      errors: [{ path: "provisioner", message: expect.stringMatching(/^Invalid value "local path": name part must consist of alphanumeric characters/) as unknown as string }],
    },
    { name: "a reclaim policy Kubernetes does not have", fields: { reclaimPolicy: "Recycle" }, errors: [{ path: "reclaimPolicy", message: 'Unsupported value "Recycle": supported values: "Delete", "Retain"' }] },
    {
      name: "a binding mode Kubernetes does not have",
      fields: { volumeBindingMode: "Later" },
      errors: [{ path: "volumeBindingMode", message: 'Unsupported value "Later": supported values: "Immediate", "WaitForFirstConsumer"' }],
    },
    { name: "a topology term with no requirement", fields: { allowedTopologies: [{}] }, errors: [{ path: "allowedTopologies[0]", message: "Required value: must have at least one label requirement" }] },
    {
      name: "a topology requirement with no value",
      fields: { allowedTopologies: [{ matchLabelExpressions: [{ key: "zone", values: [] }] }] },
      errors: [{ path: "allowedTopologies[0].matchLabelExpressions[0].values", message: "Required value: must specify as least one value" }],
    },
  ])("$name", ({ fields, errors }) => {
    expect(validateObject("StorageClass", aStorageClass(fields))).toEqual(errors);
  });
});

describe("StorageClass update", () => {
  const stored = (fields: JsonObject) => ({ ...key, uid: "u-1", nodeName: "", revision: 3, object: aStorageClass(fields) });

  it.each<{ name: string; before: JsonObject; after: JsonObject; errors: FieldError[] }>([
    { name: "its annotations and allowVolumeExpansion", before: {}, after: { metadata: { name: "fast", annotations: { "storageclass.kubernetes.io/is-default-class": "true" } }, allowVolumeExpansion: true }, errors: [] },
    { name: "the defaults written out", before: {}, after: { reclaimPolicy: "Delete", volumeBindingMode: "Immediate" }, errors: [] },
    { name: "the provisioner", before: {}, after: { provisioner: "example.com/nfs" }, errors: [{ path: "provisioner", message: "Forbidden: updates to provisioner are forbidden." }] },
    { name: "a parameter", before: { parameters: { type: "ssd" } }, after: { parameters: { type: "hdd" } }, errors: [{ path: "parameters", message: "Forbidden: updates to parameters are forbidden." }] },
    { name: "the reclaim policy", before: {}, after: { reclaimPolicy: "Retain" }, errors: [{ path: "reclaimPolicy", message: "Forbidden: updates to reclaimPolicy are forbidden." }] },
    {
      name: "the binding mode",
      before: { volumeBindingMode: "WaitForFirstConsumer" },
      after: { volumeBindingMode: "Immediate" },
      errors: [{ path: "volumeBindingMode", message: 'Invalid value "Immediate": field is immutable' }],
    },
  ])("$name", ({ before, after, errors }) => {
    const decision = decideUpdate(key, aStorageClass(after))(stored(before));
    if (errors.length === 0) {
      expect(decision).toMatchObject({ type: "MODIFIED" });
      return;
    }
    const error = "error" in decision ? decision.error : undefined;
    expect(isCapstanError(error, "Invalid")).toBe(true);
    expect(error).toMatchObject({ subject: 'StorageClass "fast"', fieldErrors: errors });
  });
});
