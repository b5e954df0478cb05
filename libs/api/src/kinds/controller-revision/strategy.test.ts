import { describe, expect, it } from "vitest";
import { InvalidError } from "@capstan/apimachinery";
import { decodeManifest } from "../../manifest.js";
import { validateObject } from "../../validation.js";
import { controllerRevisionStrategy } from "./strategy.js";

const data = { spec: { template: { metadata: { labels: { app: "nginx" } }, spec: { containers: [{ name: "nginx", image: "nginx", ports: [{ containerPort: 80 }] }] }, $patch: "replace" } } };
const revision = (extra: Record<string, unknown> = {}) => ({ apiVersion: "apps/v1", kind: "ControllerRevision", metadata: { name: "web-5d7b", namespace: "default" }, data, revision: 1, ...extra });

describe("ControllerRevision", () => {
  it("decodes data as any JSON object, as written", () => {
    expect(decodeManifest(revision()).json).toMatchObject({ data, revision: 1 });
  });

  it("still rejects an unknown field beside data, and data that is not an object", () => {
    expect(() => decodeManifest(revision({ spec: {} }))).toThrow(/spec: unknown field/);
    expect(() => decodeManifest(revision({ data: "x" }))).toThrow(/data: .*must be an object/);
  });

  it.each([
    { name: "no data", o: revision({ data: undefined }), error: "data" },
    { name: "a negative revision", o: revision({ revision: -1 }), error: "revision" },
  ])("rejects $name", ({ o, error }) => {
    expect(validateObject("ControllerRevision", o).map((e) => e.path)).toEqual([error]);
  });

  it("keeps data immutable; the number may change", () => {
    const key = { kind: "ControllerRevision", namespace: "default", name: "web-5d7b" };
    expect(controllerRevisionStrategy.validateUpdate?.(key, revision({ revision: 3 }), revision())).toBeUndefined();
    expect(controllerRevisionStrategy.validateUpdate?.(key, revision({ data: {} }), revision())).toBeInstanceOf(InvalidError);
  });
});
