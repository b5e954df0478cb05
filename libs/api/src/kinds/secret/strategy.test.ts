import { describe, expect, it } from "vitest";
import { isCapstanError, type FieldError, type JsonObject, type ObjectKey } from "@capstan/apimachinery";
import { applyDefaults } from "../../defaults.js";
import { decodeManifest } from "../../manifest.js";
import { decideUpdate } from "../../object-decisions.js";
import { validateObject } from "../../validation.js";
import { MAX_DATA_BYTES } from "../config-map/config-map-key.js";
import { secretStrategy } from "./strategy.js";

const key: ObjectKey = { kind: "Secret", namespace: "default", name: "creds" };

function aSecret(fields: JsonObject = {}): JsonObject {
  return { apiVersion: "v1", kind: "Secret", metadata: { name: "creds", namespace: "default" }, ...fields };
}

const b64 = (s: string) => Buffer.from(s).toString("base64");

/** What a create stores, as the gateway's write path makes it: validated, defaulted, prepared. */
function created(secret: JsonObject): JsonObject {
  expect(validateObject("Secret", secret)).toEqual([]);
  return secretStrategy.prepareForCreate?.(applyDefaults("Secret", secret)) ?? {};
}

const keyRule =
  "a valid config key must consist of alphanumeric characters, '-', '_' or '.' (e.g. 'key.name',  or 'KEY_NAME',  or 'key-name', regex used for validation is '[-._a-zA-Z0-9]+')";
const tooLong: FieldError = { path: "data", message: `Too long: must have at most ${MAX_DATA_BYTES} bytes` };

describe("Secret validation", () => {
  it.each<{ name: string; fields: JsonObject; errors: FieldError[] }>([
    { name: "an Opaque secret", fields: { type: "Opaque", data: { password: b64("s3cr3t"), ".hidden": "" } }, errors: [] },
    { name: "no type (Opaque)", fields: { stringData: { password: "s3cr3t" } }, errors: [] },
    { name: "a type of the user's own", fields: { type: "example.com/token", data: {} }, errors: [] },
    { name: "exactly 1 MiB of data", fields: { data: { a: Buffer.alloc(MAX_DATA_BYTES).toString("base64") } }, errors: [] },
    { name: "an invalid data key", fields: { data: { "a/b": b64("x") } }, errors: [{ path: "data[a/b]", message: `Invalid value "a/b": ${keyRule}` }] },
    { name: "an invalid stringData key", fields: { stringData: { "..x": "y" } }, errors: [{ path: "stringData[..x]", message: `Invalid value "..x": must not start with '..'` }] },
    { name: "1 MiB + 1 byte of data", fields: { data: { a: Buffer.alloc(MAX_DATA_BYTES + 1).toString("base64") } }, errors: [tooLong] },
    {
      name: "1 MiB + 1 byte with stringData",
      fields: { data: { a: Buffer.alloc(MAX_DATA_BYTES).toString("base64") }, stringData: { b: "x" } },
      errors: [tooLong],
    },
    // stringData replaces data's value for the same key, so only its own bytes count.
    {
      name: "stringData replacing a large data value",
      fields: { data: { a: Buffer.alloc(MAX_DATA_BYTES).toString("base64") }, stringData: { a: "small" } },
      errors: [],
    },
    { name: "kubernetes.io/tls with both keys", fields: { type: "kubernetes.io/tls", data: { "tls.crt": b64("c"), "tls.key": b64("k") } }, errors: [] },
    {
      name: "kubernetes.io/tls without its keys",
      fields: { type: "kubernetes.io/tls", data: {} },
      errors: [
        { path: "data[tls.crt]", message: "Required value" },
        { path: "data[tls.key]", message: "Required value" },
      ],
    },
    { name: "kubernetes.io/tls keys in stringData", fields: { type: "kubernetes.io/tls", stringData: { "tls.crt": "c", "tls.key": "k" } }, errors: [] },
    { name: "kubernetes.io/dockerconfigjson", fields: { type: "kubernetes.io/dockerconfigjson", stringData: { ".dockerconfigjson": '{"auths":{}}' } }, errors: [] },
    {
      name: "kubernetes.io/dockerconfigjson without its key",
      fields: { type: "kubernetes.io/dockerconfigjson" },
      errors: [{ path: "data[.dockerconfigjson]", message: "Required value" }],
    },
    {
      name: "kubernetes.io/dockerconfigjson that is a JSON array",
      fields: { type: "kubernetes.io/dockerconfigjson", stringData: { ".dockerconfigjson": "[]" } },
      errors: [{ path: "data[.dockerconfigjson]", message: 'Invalid value "<secret contents redacted>": must be a JSON object' }],
    },
    {
      name: "kubernetes.io/dockercfg that is not JSON",
      fields: { type: "kubernetes.io/dockercfg", stringData: { ".dockercfg": "{nope" } },
      errors: [{ path: "data[.dockercfg]", message: expect.stringMatching(/^Invalid value "<secret contents redacted>": .*JSON/) }],
    },
    { name: "kubernetes.io/basic-auth with only a username", fields: { type: "kubernetes.io/basic-auth", stringData: { username: "admin" } }, errors: [] },
    {
      name: "kubernetes.io/basic-auth with neither",
      fields: { type: "kubernetes.io/basic-auth" },
      errors: [
        { path: "data[username]", message: "Required value" },
        { path: "data[password]", message: "Required value" },
      ],
    },
    {
      name: "kubernetes.io/ssh-auth with an empty key",
      fields: { type: "kubernetes.io/ssh-auth", data: { "ssh-privatekey": "" } },
      errors: [{ path: "data[ssh-privatekey]", message: "Required value" }],
    },
    {
      name: "kubernetes.io/service-account-token without its ServiceAccount",
      fields: { type: "kubernetes.io/service-account-token" },
      errors: [{ path: "metadata.annotations[kubernetes.io/service-account.name]", message: "Required value" }],
    },
    {
      name: "kubernetes.io/service-account-token naming its ServiceAccount",
      fields: { type: "kubernetes.io/service-account-token", metadata: { name: "creds", namespace: "default", annotations: { "kubernetes.io/service-account.name": "default" } } },
      errors: [],
    },
  ])("$name", ({ fields, errors }) => {
    expect(validateObject("Secret", aSecret(fields))).toEqual(errors);
  });
});

describe("Secret create", () => {
  it("defaults the type to Opaque", () => {
    expect(created(aSecret({ data: { a: b64("b") } }))).toMatchObject({ type: "Opaque" });
  });

  it.each<{ name: string; fields: JsonObject; data: Record<string, string> }>([
    { name: "stringData only", fields: { stringData: { username: "admin", password: "s3cr3t" } }, data: { username: b64("admin"), password: b64("s3cr3t") } },
    { name: "stringData beside data", fields: { data: { token: b64("t") }, stringData: { user: "u" } }, data: { token: b64("t"), user: b64("u") } },
    { name: "stringData wins over data", fields: { data: { password: b64("old") }, stringData: { password: "new" } }, data: { password: b64("new") } },
    { name: "UTF-8 values", fields: { stringData: { greeting: "grüß dich" } }, data: { greeting: b64("grüß dich") } },
    { name: "an empty value", fields: { stringData: { empty: "" } }, data: { empty: "" } },
  ])("folds $name into base64 data, and stores no stringData", ({ fields, data }) => {
    const stored = created(aSecret(fields));
    expect(stored["data"]).toEqual(data);
    expect(stored).not.toHaveProperty("stringData");
  });

  it("decodes kubectl's `create secret generic --dry-run=client -o yaml` unchanged", () => {
    const kubectl = { apiVersion: "v1", data: { a: "Yg==" }, kind: "Secret", metadata: { creationTimestamp: null, name: "x" } };
    const { json } = decodeManifest(kubectl);
    expect(json).toEqual({ apiVersion: "v1", kind: "Secret", metadata: { name: "x" }, data: { a: "Yg==" } });
    expect(created({ ...json, metadata: { name: "x", namespace: "default" } })).toEqual({
      apiVersion: "v1",
      kind: "Secret",
      metadata: { name: "x", namespace: "default" },
      data: { a: "Yg==" },
      type: "Opaque",
    });
  });

  it("refuses data that is not base64", () => {
    expect(() => decodeManifest(aSecret({ data: { a: "b" } }))).toThrow('Secret "creds" is invalid: data[a]: Invalid value "b": must be a base64-encoded string');
  });
});

describe("Secret update", () => {
  const stored = (fields: JsonObject) => ({ ...key, uid: "u-1", nodeName: "", revision: 3, object: created(aSecret(fields)) });
  const forbidden = (path: string): FieldError => ({ path, message: "Forbidden: field is immutable when `immutable` is set" });
  const immutable = { data: { password: b64("s3cr3t") }, immutable: true };

  it.each<{ name: string; before: JsonObject; after: JsonObject; data?: Record<string, string>; errors: FieldError[] }>([
    { name: "a mutable one's data through stringData", before: { data: { password: b64("old") } }, after: { stringData: { password: "new" } }, data: { password: b64("new") }, errors: [] },
    { name: "an immutable one written back as it is", before: immutable, after: immutable, data: immutable.data, errors: [] },
    { name: "an immutable one given the same value through stringData", before: immutable, after: { ...immutable, stringData: { password: "s3cr3t" } }, data: immutable.data, errors: [] },
    { name: "an immutable one's data", before: immutable, after: { ...immutable, data: { password: b64("other") } }, errors: [forbidden("data")] },
    { name: "an immutable one's data through stringData", before: immutable, after: { ...immutable, stringData: { password: "other" } }, errors: [forbidden("data")] },
    { name: "immutable back to false", before: immutable, after: { ...immutable, immutable: false }, errors: [forbidden("immutable")] },
    {
      name: "the type",
      before: { type: "Opaque" },
      after: { type: "kubernetes.io/basic-auth", stringData: { username: "u" } },
      errors: [{ path: "type", message: 'Invalid value "kubernetes.io/basic-auth": field is immutable' }],
    },
    { name: "the type left out (Opaque again)", before: { data: {} }, after: {}, data: {}, errors: [] },
  ])("$name", ({ before, after, data, errors }) => {
    const requested = applyDefaults("Secret", aSecret(after));
    const decision = decideUpdate(key, requested)(stored(before));
    if (errors.length === 0) {
      expect(decision).toMatchObject({ type: "MODIFIED" });
      const object = "object" in decision ? decision.object : {};
      expect(object["data"] ?? {}).toEqual(data);
      expect(object).not.toHaveProperty("stringData");
      return;
    }
    const error = "error" in decision ? decision.error : undefined;
    expect(isCapstanError(error, "Invalid")).toBe(true);
    expect(error).toMatchObject({ subject: 'Secret "creds"', fieldErrors: errors });
  });
});
