import { describe, expect, it } from "vitest";
import { FieldSet, fromFieldsV1, pathString, toFieldsV1 } from "./field-set.js";

describe("FieldsV1", () => {
  // An Update entry as the apiserver writes it: "." marks a member that also has members below it.
  const fieldsV1 = {
    "f:metadata": { "f:annotations": { ".": {}, "f:deployment.kubernetes.io/revision": {} } },
    "f:spec": { "f:template": { "f:spec": { "f:containers": { 'k:{"name":"web"}': { ".": {}, "f:image": {}, "f:ports": { 'k:{"containerPort":80,"protocol":"TCP"}': { ".": {}, "f:containerPort": {} } } } } } } },
    "f:status": { "f:conditions": { 'k:{"type":"Available"}': { ".": {}, "f:status": {} } } },
  };

  it("decodes to paths and encodes back to the same tree", () => {
    const set = fromFieldsV1(fieldsV1);
    expect(set.has(["f:metadata", "f:annotations"])).toBe(true);
    expect(set.has(["f:metadata", "f:annotations", "f:deployment.kubernetes.io/revision"])).toBe(true);
    expect(set.has(["f:spec", "f:template"])).toBe(false);
    expect(set.size).toBe(8);
    expect(toFieldsV1(set)).toEqual(fieldsV1);
  });

  it.each([
    { name: "a field", path: ["f:spec", "f:replicas"], want: ".spec.replicas" },
    { name: "a keyed item", path: ["f:spec", "f:ports", 'k:{"port":80,"protocol":"TCP"}', "f:targetPort"], want: '.spec.ports[port=80,protocol="TCP"].targetPort' },
    { name: "a set item", path: ["f:metadata", "f:finalizers", 'v:"example.com/x"'], want: '.metadata.finalizers[="example.com/x"]' },
  ])("prints $name as the apiserver does", ({ path, want }) => {
    expect(pathString(path)).toBe(want);
  });

  it("knows a member below a path", () => {
    const set = new FieldSet([["f:spec", "f:containers", 'k:{"name":"web"}', "f:image"]]);
    expect(set.hasBelow(["f:spec", "f:containers", 'k:{"name":"web"}'])).toBe(true);
    expect(set.hasBelow(["f:spec", "f:containers", 'k:{"name":"web"}', "f:image"])).toBe(false);
  });
});
