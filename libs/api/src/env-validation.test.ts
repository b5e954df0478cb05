import type { FieldError } from "@capstan/apimachinery";
import { describe, expect, it } from "vitest";
import { applyDefaults } from "./defaults.js";
import { decodeManifest } from "./manifest.js";
import { validateObject } from "./validation.js";

type Json = Record<string, any>;

/** A pod whose one container has `container` on top, and `volumes`; validated as the gateway does (defaults first). */
function errorsOf(container: Json, volumes: Json[] = []): FieldError[] {
  const { kind, json } = decodeManifest({
    apiVersion: "v1",
    kind: "Pod",
    metadata: { name: "p", namespace: "default" },
    spec: { containers: [{ name: "app", image: "busybox", ...container }], volumes },
  });
  return validateObject(kind, applyDefaults(kind, json));
}

const envPath = "spec.containers[0].env[1].valueFrom";
const withEnv = (valueFrom: Json, value?: string) => ({ env: [{ name: "FIRST", value: "1" }, { name: "V", valueFrom, ...(value ? { value } : {}) }] });

describe("env valueFrom and envFrom", () => {
  it.each<{ name: string; container: Json }>([
    { name: "a ConfigMap key", container: withEnv({ configMapKeyRef: { name: "settings", key: "level", optional: true } }) },
    { name: "a Secret key", container: withEnv({ secretKeyRef: { name: "creds", key: "password" } }) },
    { name: "the pod's name", container: withEnv({ fieldRef: { fieldPath: "metadata.name" } }) },
    { name: "a label", container: withEnv({ fieldRef: { apiVersion: "v1", fieldPath: "metadata.labels['app.kubernetes.io/name']" } }) },
    { name: "the pod IP", container: withEnv({ fieldRef: { fieldPath: "status.podIP" } }) },
    { name: "a cpu limit in millicores", container: withEnv({ resourceFieldRef: { resource: "limits.cpu", divisor: "1m" } }) },
    { name: "memory of a named container", container: withEnv({ resourceFieldRef: { containerName: "app", resource: "requests.memory", divisor: "1Mi" } }) },
    { name: "envFrom with a prefix", container: { envFrom: [{ prefix: "CFG_", configMapRef: { name: "settings" } }, { secretRef: { name: "creds", optional: true } }] } },
  ])("accepts $name", ({ container }) => {
    expect(errorsOf(container)).toEqual([]);
  });

  it.each<{ name: string; container: Json; errors: FieldError[] }>([
    {
      name: "an unsupported fieldPath",
      container: withEnv({ fieldRef: { fieldPath: "spec.hostname" } }),
      errors: [
        {
          path: `${envPath}.fieldRef.fieldPath`,
          message:
            'Unsupported value "spec.hostname": supported values: "metadata.name", "metadata.namespace", "metadata.uid", "spec.nodeName", "spec.serviceAccountName", "status.hostIP", "status.podIP", "metadata.labels[\'<KEY>\']", "metadata.annotations[\'<KEY>\']"',
        },
      ],
    },
    {
      name: "a subscript on a field that has none",
      container: withEnv({ fieldRef: { fieldPath: "metadata.name['x']" } }),
      errors: [{ path: `${envPath}.fieldRef.fieldPath`, message: `Invalid value "metadata.name['x']": does not support subscript` }],
    },
    {
      name: "no source",
      container: withEnv({}),
      errors: [{ path: envPath, message: 'Invalid value "": must specify one of: `fieldRef`, `resourceFieldRef`, `configMapKeyRef` or `secretKeyRef`' }],
    },
    {
      name: "two sources",
      container: withEnv({ fieldRef: { fieldPath: "metadata.name" }, configMapKeyRef: { name: "settings", key: "level" } }),
      errors: [{ path: envPath, message: 'Invalid value "": may not have more than one field specified at a time' }],
    },
    {
      name: "a value too",
      container: withEnv({ fieldRef: { fieldPath: "metadata.name" } }, "x"),
      errors: [{ path: envPath, message: 'Invalid value "": may not be specified when `value` is not empty' }],
    },
    {
      name: "a ConfigMap key without name or key",
      container: withEnv({ configMapKeyRef: { key: "" } }),
      errors: [
        { path: `${envPath}.configMapKeyRef.name`, message: "Required value" },
        { path: `${envPath}.configMapKeyRef.key`, message: "Required value" },
      ],
    },
    {
      name: "an unsupported resource",
      container: withEnv({ resourceFieldRef: { resource: "limits.gpu" } }),
      errors: [
        {
          path: `${envPath}.resourceFieldRef.resource`,
          message:
            'Unsupported value "limits.gpu": supported values: "limits.cpu", "limits.memory", "limits.ephemeral-storage", "requests.cpu", "requests.memory", "requests.ephemeral-storage"',
        },
      ],
    },
    {
      name: "a cpu divisor in Mi",
      container: withEnv({ resourceFieldRef: { resource: "limits.cpu", divisor: "1Mi" } }),
      errors: [{ path: `${envPath}.resourceFieldRef.divisor`, message: 'Invalid value "1Mi": only divisor\'s values 1m and 1 are supported with the cpu resource' }],
    },
    {
      name: "an unknown container",
      container: withEnv({ resourceFieldRef: { containerName: "db", resource: "limits.cpu" } }),
      errors: [{ path: `${envPath}.resourceFieldRef.containerName`, message: 'Unsupported value "db": supported values: "app"' }],
    },
    {
      name: "envFrom with neither source",
      container: { envFrom: [{ prefix: "X_" }] },
      errors: [{ path: "spec.containers[0].envFrom[0]", message: 'Invalid value "": must specify one of: `configMapRef` or `secretRef`' }],
    },
    {
      name: "envFrom with both sources and a bad prefix",
      container: { envFrom: [{ prefix: "1=", configMapRef: { name: "a" }, secretRef: { name: "b" } }] },
      errors: [
        { path: "spec.containers[0].envFrom[0].prefix", message: expect.stringContaining('Invalid value "1="') as unknown as string },
        { path: "spec.containers[0].envFrom[0]", message: 'Invalid value "": may not have more than one field specified at a time' },
      ],
    },
  ])("refuses $name", ({ container, errors }) => {
    expect(errorsOf(container)).toEqual(errors);
  });
});

describe("configMap, secret, downwardAPI and projected volumes", () => {
  it("accepts each, defaulting the file mode to 0644", () => {
    const volumes = [
      { name: "a", configMap: { name: "settings", items: [{ key: "level", path: "conf/level", mode: 0o600 }], optional: true } },
      { name: "b", secret: { secretName: "creds" } },
      { name: "c", downwardAPI: { items: [{ path: "labels", fieldRef: { fieldPath: "metadata.labels" } }, { path: "cpu", resourceFieldRef: { containerName: "app", resource: "limits.cpu" } }] } },
      { name: "d", projected: { sources: [{ configMap: { name: "settings" } }, { secret: { name: "creds" } }, { downwardAPI: { items: [{ path: "n", fieldRef: { fieldPath: "metadata.name" } }] } }] } },
    ];
    expect(errorsOf({}, volumes)).toEqual([]);
    const { kind, json } = decodeManifest({ apiVersion: "v1", kind: "Pod", metadata: { name: "p" }, spec: { containers: [{ name: "app", image: "busybox" }], volumes } });
    const defaulted = applyDefaults(kind, json) as Json;
    expect(defaulted["spec"]["volumes"].map((v: Json) => (v["configMap"] ?? v["secret"] ?? v["downwardAPI"] ?? v["projected"])["defaultMode"])).toEqual([420, 420, 420, 420]);
  });

  it.each<{ name: string; volume: Json; errors: FieldError[] }>([
    { name: "a configMap without a name", volume: { configMap: {} }, errors: [{ path: "spec.volumes[0].configMap.name", message: "Required value" }] },
    {
      name: "an item path with ..",
      volume: { secret: { secretName: "s", items: [{ key: "k", path: "../k" }] } },
      errors: [{ path: "spec.volumes[0].secret.items[0].path", message: `Invalid value "../k": must not contain '..'` }],
    },
    {
      name: "a mode above 0777",
      volume: { configMap: { name: "c", defaultMode: 0o1777 } },
      errors: [{ path: "spec.volumes[0].configMap.defaultMode", message: "Invalid value 1023: must be a number between 0 and 0777 (octal), both inclusive" }],
    },
    {
      name: "a downwardAPI file with the pod IP",
      volume: { downwardAPI: { items: [{ path: "ip", fieldRef: { fieldPath: "status.podIP" } }] } },
      errors: [
        {
          path: "spec.volumes[0].downwardAPI.items[0].fieldRef.fieldPath",
          message: 'Unsupported value "status.podIP": supported values: "metadata.name", "metadata.namespace", "metadata.labels", "metadata.annotations", "metadata.uid"',
        },
      ],
    },
    {
      name: "a projection of two types",
      volume: { projected: { sources: [{ configMap: { name: "c" }, secret: { name: "s" } }] } },
      errors: [{ path: "spec.volumes[0].projected.sources[0].configMap", message: "Forbidden: may not specify more than 1 projection type" }],
    },
  ])("refuses $name", ({ volume, errors }) => {
    expect(errorsOf({}, [{ name: "v", ...volume }])).toEqual(errors);
  });
});
