import { describe, expect, it } from "vitest";
import { isCapstanError, type FieldError, type JsonObject, type ObjectKey } from "@capstan/apimachinery";
import { decodeManifest } from "../../manifest.js";
import { decideUpdate } from "../../object-decisions.js";
import { validateObject } from "../../validation.js";
import { MAX_DATA_BYTES } from "./config-map-key.js";

const key: ObjectKey = { kind: "ConfigMap", namespace: "default", name: "settings" };

function aConfigMap(fields: JsonObject = {}): JsonObject {
  return { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "settings", namespace: "default" }, ...fields };
}

const b64 = (s: string) => Buffer.from(s).toString("base64");
const keyRule =
  "a valid config key must consist of alphanumeric characters, '-', '_' or '.' (e.g. 'key.name',  or 'KEY_NAME',  or 'key-name', regex used for validation is '[-._a-zA-Z0-9]+')";
const tooLong: FieldError = { path: "[]", message: `Too long: must have at most ${MAX_DATA_BYTES} bytes` };

describe("ConfigMap validation", () => {
  it.each<{ name: string; fields: JsonObject; errors: FieldError[] }>([
    { name: "no data at all", fields: {}, errors: [] },
    { name: "data and binaryData under different keys", fields: { data: { "game.properties": "lives=3", KEY_NAME: "", "key-name": "x" }, binaryData: { "logo.png": b64("\x89PNG") } }, errors: [] },
    { name: "a key of 253 characters", fields: { data: { ["k".repeat(253)]: "v" } }, errors: [] },
    { name: "exactly 1 MiB of values", fields: { data: { a: "x".repeat(MAX_DATA_BYTES - 4) }, binaryData: { b: b64("1234") } }, errors: [] },
    {
      name: "a key with a space",
      fields: { data: { "a b": "v" } },
      errors: [{ path: "data[a b]", message: `Invalid value "a b": ${keyRule}` }],
    },
    { name: "a key that is .", fields: { data: { ".": "v" } }, errors: [{ path: "data[.]", message: `Invalid value ".": must not be '.'` }] },
    { name: "a key that is ..", fields: { binaryData: { "..": "" } }, errors: [{ path: "binaryData[..]", message: `Invalid value "..": must not be '..'` }] },
    { name: "a key starting with ..", fields: { data: { "..data": "v" } }, errors: [{ path: "data[..data]", message: `Invalid value "..data": must not start with '..'` }] },
    {
      name: "a key of 254 characters",
      fields: { data: { ["k".repeat(254)]: "v" } },
      errors: [{ path: `data[${"k".repeat(254)}]`, message: `Invalid value "${"k".repeat(254)}": must be no more than 253 characters` }],
    },
    {
      name: "a key in both data and binaryData",
      fields: { data: { logo: "text" }, binaryData: { logo: b64("bytes") } },
      errors: [{ path: "data[logo]", message: `Invalid value "logo": duplicate of key present in binaryData` }],
    },
    { name: "1 MiB + 1 byte of data", fields: { data: { a: "x".repeat(MAX_DATA_BYTES + 1) } }, errors: [tooLong] },
    { name: "1 MiB + 1 byte over data and binaryData", fields: { data: { a: "x".repeat(MAX_DATA_BYTES - 3) }, binaryData: { b: b64("1234") } }, errors: [tooLong] },
    // Bytes, not characters: 524,289 two-byte characters are 1,048,578 bytes.
    { name: "1 MiB + 2 bytes of UTF-8", fields: { data: { a: "é".repeat(MAX_DATA_BYTES / 2 + 1) } }, errors: [tooLong] },
  ])("$name", ({ fields, errors }) => {
    expect(validateObject("ConfigMap", aConfigMap(fields))).toEqual(errors);
  });

  it("decodes kubectl's manifest unchanged, binaryData as base64", () => {
    const kubectl = { apiVersion: "v1", kind: "ConfigMap", metadata: { creationTimestamp: null, name: "x" }, data: { a: "b" }, binaryData: { bin: "AAEC/w==" }, immutable: true };
    const { json } = decodeManifest(kubectl);
    expect(json).toEqual({ apiVersion: "v1", kind: "ConfigMap", metadata: { name: "x" }, data: { a: "b" }, binaryData: { bin: "AAEC/w==" }, immutable: true });
  });

  it.each([
    { name: "not base64 at all", value: "not base64!" },
    // Buffer would read these as a shorter value; Kubernetes refuses them.
    { name: "base64 without its padding", value: "YQ" },
    { name: "a length no base64 has", value: "YWJjZ" },
  ])("refuses binaryData that is $name", ({ value }) => {
    expect(() => decodeManifest(aConfigMap({ binaryData: { bin: value } }))).toThrow(
      `ConfigMap "settings" is invalid: binaryData[bin]: Invalid value "${value}": must be a base64-encoded string`,
    );
  });
});

describe("ConfigMap update", () => {
  const stored = (fields: JsonObject) => ({ ...key, uid: "u-1", nodeName: "", revision: 3, object: aConfigMap(fields) });
  const immutable = { data: { mode: "fast" }, binaryData: { logo: b64("png") }, immutable: true };

  it.each<{ name: string; before: JsonObject; after: JsonObject; errors: FieldError[] }>([
    { name: "a mutable one's data", before: { data: { mode: "fast" } }, after: { data: { mode: "slow" } }, errors: [] },
    { name: "a mutable one made immutable", before: { data: { mode: "fast" }, immutable: false }, after: { data: { mode: "fast" }, immutable: true }, errors: [] },
    { name: "an immutable one's labels", before: immutable, after: { ...immutable, metadata: { name: "settings", namespace: "default", labels: { a: "b" } } }, errors: [] },
    {
      name: "an immutable one's data",
      before: immutable,
      after: { ...immutable, data: { mode: "slow" } },
      errors: [{ path: "data", message: "Forbidden: field is immutable when `immutable` is set" }],
    },
    {
      name: "a key added to an immutable one's data",
      before: immutable,
      after: { ...immutable, data: { mode: "fast", more: "x" } },
      errors: [{ path: "data", message: "Forbidden: field is immutable when `immutable` is set" }],
    },
    {
      name: "an immutable one's binaryData",
      before: immutable,
      after: { ...immutable, binaryData: { logo: b64("gif") } },
      errors: [{ path: "binaryData", message: "Forbidden: field is immutable when `immutable` is set" }],
    },
    {
      name: "immutable back to false",
      before: immutable,
      after: { ...immutable, immutable: false },
      errors: [{ path: "immutable", message: "Forbidden: field is immutable when `immutable` is set" }],
    },
    {
      name: "immutable left out, and data changed",
      before: immutable,
      after: { data: {}, binaryData: immutable.binaryData },
      errors: [
        { path: "immutable", message: "Forbidden: field is immutable when `immutable` is set" },
        { path: "data", message: "Forbidden: field is immutable when `immutable` is set" },
      ],
    },
  ])("$name", ({ before, after, errors }) => {
    const decision = decideUpdate(key, aConfigMap(after))(stored(before));
    if (errors.length === 0) {
      expect(decision).toMatchObject({ type: "MODIFIED" });
      return;
    }
    const error = "error" in decision ? decision.error : undefined;
    expect(isCapstanError(error, "Invalid")).toBe(true);
    expect(error).toMatchObject({ subject: 'ConfigMap "settings"', fieldErrors: errors });
  });
});
