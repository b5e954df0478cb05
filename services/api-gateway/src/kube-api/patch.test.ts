import { describe, expect, it } from "vitest";
import { applyPatch, mergePatch, patchNamesResourceVersion } from "./patch.js";

const pod = { apiVersion: "v1", kind: "Pod", metadata: { name: "web", labels: { app: "web", tier: "front" }, resourceVersion: "7" }, spec: { containers: [{ name: "a", image: "nginx" }] } };

describe("mergePatch (RFC 7386)", () => {
  it.each([
    { name: "adds and replaces keys", target: { a: 1, b: { c: 2 } }, patch: { b: { d: 3 }, e: 4 }, result: { a: 1, b: { c: 2, d: 3 }, e: 4 } },
    { name: "null removes a key", target: { a: 1, b: 2 }, patch: { a: null }, result: { b: 2 } },
    { name: "arrays are replaced whole", target: { a: [1, 2] }, patch: { a: [3] }, result: { a: [3] } },
    { name: "a non-object patch replaces the target", target: { a: 1 }, patch: "x", result: "x" },
    { name: "an object replaces a scalar", target: { a: 1 }, patch: { a: { b: null, c: 1 } }, result: { a: { c: 1 } } },
  ])("$name", ({ target, patch, result }) => {
    expect(mergePatch(target, patch)).toEqual(result);
  });

  it("refuses a __proto__ key, naming its path, instead of replacing a prototype", () => {
    const patch = JSON.parse('{"spec": {"__proto__": {"polluted": true}}}') as unknown;
    expect(() => mergePatch({ spec: {} }, patch)).toThrow("spec.__proto__: Forbidden: not a field of any Kubernetes object");
    expect(({} as { polluted?: boolean }).polluted).toBeUndefined();
  });
});

describe("applyPatch", () => {
  it("merge-patches labels, leaving the original as it was", () => {
    const patched = applyPatch("application/merge-patch+json", pod, { metadata: { labels: { tier: null, env: "prod" } } }, "Pod");
    expect(patched["metadata"]).toEqual({ name: "web", labels: { app: "web", env: "prod" }, resourceVersion: "7" });
    expect(pod.metadata.labels).toEqual({ app: "web", tier: "front" });
  });

  it("applies JSON patch operations in order", () => {
    const patched = applyPatch("application/json-patch+json; charset=utf-8", pod, [
      { op: "replace", path: "/spec/containers/0/image", value: "busybox" },
      { op: "add", path: "/metadata/labels/env", value: "prod" },
    ], "Pod");
    expect(patched).toMatchObject({ spec: { containers: [{ name: "a", image: "busybox" }] }, metadata: { labels: { env: "prod" } } });
    expect(pod.spec.containers[0]!.image).toBe("nginx");
  });

  it("refuses a JSON patch whose test fails, with 400", () => {
    expect(() => applyPatch("application/json-patch+json", pod, [{ op: "test", path: "/metadata/name", value: "db" }], "Pod")).toThrow(
      expect.objectContaining({ code: 400, message: expect.stringContaining("the JSON patch could not be applied") }),
    );
  });

  it("merges a strategic merge patch by the containers' merge key", () => {
    const patched = applyPatch("application/strategic-merge-patch+json", pod, { spec: { containers: [{ name: "b", image: "redis" }] } }, "Pod");
    expect((patched["spec"] as { containers: unknown[] }).containers).toEqual([{ name: "b", image: "redis" }, { name: "a", image: "nginx" }]);
  });

  it("answers 415 for a patch type it does not serve, naming the ones it does", () => {
    expect(() => applyPatch("application/x-unknown-patch+json", pod, {}, "Pod")).toThrow(
      expect.objectContaining({ code: 415, reason: "UnsupportedMediaType", message: expect.stringContaining("application/merge-patch+json, application/json-patch+json, application/strategic-merge-patch+json, application/apply-patch+yaml") }),
    );
  });
});

describe("patchNamesResourceVersion", () => {
  it.each([
    { name: "a merge patch without one", type: "application/merge-patch+json", patch: { metadata: { labels: { a: "b" } } }, names: false },
    { name: "a merge patch with one", type: "application/merge-patch+json", patch: { metadata: { resourceVersion: "7" } }, names: true },
    { name: "a JSON patch testing it", type: "application/json-patch+json", patch: [{ op: "test", path: "/metadata/resourceVersion", value: "7" }], names: true },
    { name: "a JSON patch elsewhere", type: "application/json-patch+json", patch: [{ op: "add", path: "/metadata/labels/a", value: "b" }], names: false },
  ])("$name: $names", ({ type, patch, names }) => {
    expect(patchNamesResourceVersion(type, patch)).toBe(names);
  });
});
