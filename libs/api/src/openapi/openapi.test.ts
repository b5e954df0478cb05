import SwaggerParser from "@apidevtools/swagger-parser";
import { describe, expect, it } from "vitest";
import { supportedKinds } from "../kinds.js";
import { kubernetesExamples } from "../testing/kubernetes-examples.js";
import { openApiV2 } from "./openapi-v2.js";
import { openApiV3, openApiV3Discovery } from "./openapi-v3.js";

type Json = { [key: string]: unknown };

function isObject(v: unknown): v is Json {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** The value at a chain of keys, failing the test with the chain when one is missing. */
function at(value: unknown, ...keys: string[]): Json {
  let v = value;
  for (const [i, key] of keys.entries()) {
    if (!isObject(v) || !(key in v)) throw new Error(`no ${keys.slice(0, i + 1).join(" → ")}`);
    v = v[key];
  }
  if (!isObject(v)) throw new Error(`${keys.join(" → ")} is not an object`);
  return v;
}

interface Doc {
  readonly root: Json;
  readonly schemas: Json;
  readonly refPrefix: string;
}

const v2: Doc = { root: openApiV2() as Json, schemas: at(openApiV2(), "definitions"), refPrefix: "#/definitions/" };

function v3(groupVersion: string): Doc {
  const root = openApiV3(groupVersion);
  if (!root) throw new Error(`no v3 document for ${groupVersion}`);
  return { root: root as Json, schemas: at(root, "components", "schemas"), refPrefix: "#/components/schemas/" };
}

const kinds = supportedKinds();
const groupVersionOf = (k: (typeof kinds)[number]): string => (k.group === "" ? `api/${k.apiVersion}` : `apis/${k.apiVersion}`);
const gvkOf = (k: (typeof kinds)[number]): Json => ({ group: k.group, version: k.apiVersion.split("/").pop(), kind: k.kind });

/** A schema with its $ref (or a single-entry allOf around one, as OpenAPI 3 writes a described ref) followed. */
function resolved(doc: Doc, schema: Json): Json {
  const allOf = schema["allOf"];
  const inner = Array.isArray(allOf) && allOf.length === 1 && isObject(allOf[0]) ? allOf[0] : schema;
  const ref = inner["$ref"];
  if (typeof ref !== "string") return schema;
  expect(ref.startsWith(doc.refPrefix), ref).toBe(true);
  return at(doc.schemas, ref.slice(doc.refPrefix.length));
}

/** The schema of a field path under a definition: "spec.containers[].resources.limits". */
function fieldSchema(doc: Doc, definition: string, path: string): Json {
  let schema = at(doc.schemas, definition);
  for (const step of path.split(".")) {
    const name = step.replace(/\[\]$/, "");
    schema = resolved(doc, at(resolved(doc, schema), "properties", name));
    if (step.endsWith("[]")) {
      expect(schema["type"], `${path}: ${name} is an array`).toBe("array");
      schema = resolved(doc, at(schema, "items"));
    }
  }
  return schema;
}

/**
 * What kubectl's client-side validation does with a manifest, done against a document: every field known,
 * of the declared type, required fields present. Errors as "path: problem".
 */
function validationErrors(doc: Doc, schema: Json, value: unknown, path: string): string[] {
  const s = resolved(doc, schema);
  if (Array.isArray(s["oneOf"])) {
    const errors = (s["oneOf"] as Json[]).map((alternative) => validationErrors(doc, alternative, value, path));
    return errors.some((e) => e.length === 0) ? [] : [`${path}: matches none of ${JSON.stringify(s["oneOf"])}`];
  }
  switch (s["type"]) {
    case "string":
      // As kubectl's validator (kube-openapi pkg/util/proto/validation): a string field takes any scalar,
      // which is how swagger 2.0's {type: string} Quantity and IntOrString take `cpu: 2` and `maxSurge: 1`.
      return ["string", "number", "boolean"].includes(typeof value) ? [] : [`${path}: not a string`];
    case "number":
      return typeof value === "number" ? [] : [`${path}: not a number`];
    case "integer":
      return Number.isInteger(value) ? [] : [`${path}: not an integer`];
    case "boolean":
      return typeof value === "boolean" ? [] : [`${path}: not a boolean`];
    case "array":
      return Array.isArray(value) ? value.flatMap((item, i) => validationErrors(doc, at(s, "items"), item, `${path}[${i}]`)) : [`${path}: not an array`];
    case "object": {
      if (!isObject(value)) return [`${path}: not an object`];
      const required = Array.isArray(s["required"]) ? (s["required"] as string[]) : [];
      const missing = required.filter((name) => !(name in value)).map((name) => `${path}.${name}: required`);
      const properties = isObject(s["properties"]) ? s["properties"] : undefined;
      const additional = isObject(s["additionalProperties"]) ? s["additionalProperties"] : undefined;
      const fields = Object.entries(value).flatMap(([key, v]) => {
        const fieldSchema = properties?.[key] ?? additional;
        if (isObject(fieldSchema)) return validationErrors(doc, fieldSchema, v, `${path}.${key}`);
        return s["x-kubernetes-preserve-unknown-fields"] ? [] : [`${path}.${key}: unknown field`];
      });
      return [...missing, ...fields];
    }
    default:
      return [`${path}: schema without a type`];
  }
}

describe("openApiV2", () => {
  it("is a valid swagger 2.0 document whose every $ref resolves", async () => {
    await expect(SwaggerParser.validate(structuredClone(openApiV2()) as never)).resolves.toBeDefined();
  });

  it.each(kinds.map((k) => ({ name: k.kind, kind: k })))("defines $name with its GVK, and its list", ({ kind }) => {
    const definition = Object.entries(v2.schemas).find(([, d]) => isObject(d) && JSON.stringify(d["x-kubernetes-group-version-kind"]) === JSON.stringify([gvkOf(kind)]));
    const pkg = `io.k8s.api.${kind.group.split(".")[0] || "core"}.${gvkOf(kind)["version"]}`;
    expect(definition?.[0]).toBe(`${pkg}.${kind.kind}`);
    expect(at(v2.schemas, `${pkg}.${kind.kind}List`, "properties", "items", "items")).toEqual({ $ref: `#/definitions/${pkg}.${kind.kind}` });
  });

  it.each(kinds.map((k) => ({ name: k.kind, kind: k })))("serves $name's collection and objects, with fieldValidation on writes", ({ kind }) => {
    const collection = `/${groupVersionOf(kind)}/${kind.namespaced ? "namespaces/{namespace}/" : ""}${kind.plural}`;
    const paths = at(v2.root, "paths");
    expect(Object.keys(at(paths, collection)).sort()).toEqual(["delete", "get", "parameters", "post"]);
    expect(Object.keys(at(paths, `${collection}/{name}`)).sort()).toEqual(["delete", "get", "parameters", "patch", "put"]);
    expect(at(paths, collection, "get")["x-kubernetes-action"]).toBe("list");
    expect(at(paths, collection, "delete")["x-kubernetes-action"]).toBe("deletecollection");
    expect(at(paths, `${collection}/{name}`, "patch", "x-kubernetes-group-version-kind")).toEqual(gvkOf(kind));
    const queryNames = (op: Json): unknown[] => (op["parameters"] as Json[]).filter((p) => p["in"] === "query").map((p) => p["name"]);
    expect(queryNames(at(paths, collection, "get"))).toContain("watch");
    for (const method of ["put", "patch"]) expect(queryNames(at(paths, `${collection}/{name}`, method))).toContain("fieldValidation");
    expect(queryNames(at(paths, collection, "post"))).toContain("fieldValidation");
    if (kind.namespaced) expect(at(paths, `/${groupVersionOf(kind)}/${kind.plural}`, "get")["x-kubernetes-action"]).toBe("list");
  });
});

describe("openApiV3Discovery", () => {
  it("lists each served group-version at its hashed URL", () => {
    const paths = at(openApiV3Discovery(), "paths");
    expect(Object.keys(paths).sort()).toEqual([...new Set(kinds.map(groupVersionOf))].sort());
    const urls = Object.entries(paths).map(([gv, entry]) => {
      const url = at(entry)["serverRelativeURL"];
      expect(url).toMatch(new RegExp(`^/openapi/v3/${gv}\\?hash=[0-9A-F]{128}$`));
      return url;
    });
    expect(new Set(urls).size).toBe(urls.length);
  });
});

describe("openApiV3", () => {
  it.each([...new Set(kinds.map(groupVersionOf))].map((gv) => ({ name: gv })))("is a valid OpenAPI 3.0 document for $name", async ({ name }) => {
    await expect(SwaggerParser.validate(structuredClone(openApiV3(name)) as never)).resolves.toBeDefined();
  });

  it("answers undefined for a group-version Capstan does not serve", () => {
    expect(openApiV3("apis/networking.k8s.io/v1")).toBeUndefined();
  });

  // kubectl 1.32's explain template (pkg/explain/v2/templates/plaintext.tmpl): the GVK of the first
  // operation on the kind's paths, then the schema whose x-kubernetes-group-version-kind contains it.
  it.each(kinds.map((k) => ({ name: k.kind, kind: k })))("lets kubectl explain find $name's schema", ({ kind }) => {
    const doc = v3(groupVersionOf(kind));
    const prefix = `/${groupVersionOf(kind)}`;
    const searched = [`${prefix}/${kind.plural}`, `${prefix}/${kind.plural}/{name}`, `${prefix}/namespaces/{namespace}/${kind.plural}`, `${prefix}/namespaces/{namespace}/${kind.plural}/{name}`];
    const paths = at(doc.root, "paths");
    const operations = searched.flatMap((p) => ["get", "post", "put", "patch", "delete"].map((m) => (isObject(paths[p]) ? (paths[p] as Json)[m] : undefined)));
    const gvk = operations.map((op) => (isObject(op) ? op["x-kubernetes-group-version-kind"] : undefined)).find(Boolean);
    expect(gvk).toEqual(gvkOf(kind));
    const found = Object.values(doc.schemas).filter((s) => isObject(s) && Array.isArray(s["x-kubernetes-group-version-kind"]) && (s["x-kubernetes-group-version-kind"] as unknown[]).some((g) => JSON.stringify(g) === JSON.stringify(gvk)));
    expect(found).toHaveLength(1);
    expect(at(found[0], "properties", "metadata")).toEqual(expect.objectContaining({ allOf: [{ $ref: "#/components/schemas/io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta" }] }));
  });

  // kubectl's QueryParamVerifierV3: the server validates fields when a PATCH operation of the GVK declares
  // fieldValidation among its own (not its path's) query parameters.
  it.each(kinds.map((k) => ({ name: k.kind, kind: k })))("tells kubectl the server validates $name's fields", ({ kind }) => {
    const patches = Object.values(at(v3(groupVersionOf(kind)).root, "paths"))
      .map((item) => (isObject(item) ? item["patch"] : undefined))
      .filter((op): op is Json => isObject(op) && JSON.stringify(op["x-kubernetes-group-version-kind"]) === JSON.stringify(gvkOf(kind)));
    expect(patches.length).toBeGreaterThan(0);
    for (const op of patches) expect(op["parameters"]).toContainEqual(expect.objectContaining({ name: "fieldValidation", in: "query" }));
  });

  it("serves the scale subresource of the kinds with spec.replicas, as an autoscaling/v1 Scale", () => {
    const scaled = kinds.filter((k) => Object.keys(at(v3(groupVersionOf(k)).root, "paths")).some((p) => p.endsWith(`/${k.plural}/{name}/scale`)));
    expect(scaled.map((k) => k.kind).sort()).toEqual(["Deployment", "ReplicaSet", "ReplicationController", "StatefulSet"]);
    const doc = v3("apis/apps/v1");
    const scale = at(doc.root, "paths", "/apis/apps/v1/namespaces/{namespace}/deployments/{name}/scale");
    expect(Object.keys(scale).sort()).toEqual(["get", "parameters", "patch", "put"]);
    expect(at(scale, "put", "x-kubernetes-group-version-kind")).toEqual({ group: "autoscaling", version: "v1", kind: "Scale" });
    expect(at(scale, "get", "responses", "200", "content", "application/json", "schema")).toEqual({ $ref: "#/components/schemas/io.k8s.api.autoscaling.v1.Scale" });
    expect(fieldSchema(doc, "io.k8s.api.autoscaling.v1.Scale", "spec.replicas")).toEqual(expect.objectContaining({ type: "integer" }));
  });

  it("holds only the schemas its paths reach", () => {
    const batch = v3("apis/batch/v1").schemas;
    expect(Object.keys(batch)).toContain("io.k8s.api.batch.v1.CronJob");
    expect(Object.keys(batch)).toContain("io.k8s.api.core.v1.PodSpec");
    expect(Object.keys(batch)).not.toContain("io.k8s.api.apps.v1.Deployment");
    expect(Object.keys(batch)).not.toContain("io.k8s.api.core.v1.Service");
  });
});

// Kubernetes' scalar types: swagger 2.0 gives their OpenAPISchemaType, OpenAPI 3 their OpenAPIV3OneOfTypes.
describe.each([
  { name: "v2", doc: () => v2, intOrString: { type: "string" }, quantity: { type: "string" } },
  { name: "v3", doc: () => v3("apis/apps/v1"), intOrString: { oneOf: [{ type: "string" }, { type: "integer" }] }, quantity: { oneOf: [{ type: "string" }, { type: "number" }] } },
])("the schema in $name", ({ doc, intOrString, quantity }) => {
  it("describes maxSurge as an int-or-string", () => {
    const maxSurge = fieldSchema(doc(), "io.k8s.api.apps.v1.Deployment", "spec.strategy.rollingUpdate.maxSurge");
    expect(maxSurge).toEqual(expect.objectContaining({ ...intOrString, format: "int-or-string", "x-kubernetes-int-or-string": true }));
    expect(validationErrors(doc(), maxSurge, 1, "maxSurge")).toEqual([]);
    expect(validationErrors(doc(), maxSurge, "25%", "maxSurge")).toEqual([]);
  });

  it("describes a container's resource limits as a map of quantities", () => {
    const limits = fieldSchema(doc(), "io.k8s.api.apps.v1.Deployment", "spec.template.spec.containers[].resources.limits");
    expect(limits["type"]).toBe("object");
    expect(at(limits, "additionalProperties")["$ref"]).toMatch(/io\.k8s\.apimachinery\.pkg\.api\.resource\.Quantity$/);
    expect(resolved(doc(), at(limits, "additionalProperties"))).toEqual(expect.objectContaining(quantity));
    expect(validationErrors(doc(), limits, { cpu: 2, memory: "1Gi" }, "limits")).toEqual([]);
  });

  it("types scalars, maps and required fields as Kubernetes does", () => {
    expect(fieldSchema(doc(), "io.k8s.api.apps.v1.Deployment", "spec.replicas")).toEqual(expect.objectContaining({ type: "integer", format: "int32" }));
    expect(fieldSchema(doc(), "io.k8s.api.apps.v1.Deployment", "metadata.generation")).toEqual(expect.objectContaining({ type: "integer", format: "int64" }));
    expect(fieldSchema(doc(), "io.k8s.api.apps.v1.Deployment", "metadata.labels")).toEqual(expect.objectContaining({ type: "object", additionalProperties: { type: "string" } }));
    expect(fieldSchema(doc(), "io.k8s.api.apps.v1.Deployment", "spec")["required"]).toEqual(["selector", "template"]);
    expect(fieldSchema(doc(), "io.k8s.api.apps.v1.Deployment", "spec.template.spec.containers[]")["required"]).toEqual(["name"]);
  });

  it("carries the strategic-merge-patch keys the server's PATCH merges by", () => {
    const podSpec = at(doc().schemas, "io.k8s.api.core.v1.PodSpec", "properties");
    expect(at(podSpec, "containers")).toEqual(expect.objectContaining({ type: "array", "x-kubernetes-patch-merge-key": "name", "x-kubernetes-patch-strategy": "merge" }));
    expect(at(podSpec, "volumes")).toEqual(expect.objectContaining({ "x-kubernetes-patch-merge-key": "name", "x-kubernetes-patch-strategy": "merge,retainKeys" }));
    expect(at(podSpec, "tolerations")).not.toHaveProperty("x-kubernetes-patch-strategy");
    const strategy = at(doc().schemas, "io.k8s.api.apps.v1.DeploymentSpec", "properties", "strategy");
    expect(strategy["x-kubernetes-patch-strategy"]).toBe("retainKeys");
    expect(resolved(doc(), strategy)).toBe(at(doc().schemas, "io.k8s.api.apps.v1.DeploymentStrategy"));
  });

  it("carries the proto's comments as descriptions", () => {
    expect(at(doc().schemas, "io.k8s.apimachinery.pkg.apis.meta.v1.LabelSelector")["description"]).toBe(
      "A label query over a set of objects (matchLabels and matchExpressions are ANDed). An absent selector selects nothing; an empty one selects everything.",
    );
    // A section heading ("// ---- ControllerRevision ----") titles the file, not the message below it.
    expect(at(doc().schemas, "io.k8s.api.apps.v1.ControllerRevision")["description"]).toMatch(/^An immutable snapshot of a controller's state/);
    expect(at(doc().schemas, "io.k8s.api.apps.v1.RollingUpdateDeployment")).not.toHaveProperty("description");
    expect(at(doc().schemas, "io.k8s.apimachinery.pkg.apis.meta.v1.LabelSelectorRequirement", "properties", "operator")).toEqual({
      description: "In, NotIn, Exists or DoesNotExist.",
      type: "string",
    });
  });
});

describe("the example manifests", () => {
  it.each(kubernetesExamples.map((e) => ({ name: e.name, manifest: e.manifest })))("$name passes client-side validation against both documents", ({ manifest }) => {
    const kind = kinds.find((k) => k.kind === manifest["kind"]);
    if (!kind) throw new Error(`unsupported kind ${String(manifest["kind"])}`);
    const name = `io.k8s.api.${kind.group.split(".")[0] || "core"}.v1.${kind.kind}`;
    for (const doc of [v2, v3(groupVersionOf(kind))]) expect(validationErrors(doc, at(doc.schemas, name), manifest, kind.kind)).toEqual([]);
  });

  it("fails validation for an unknown field, a wrong type and a missing required field", () => {
    const manifest = { apiVersion: "apps/v1", kind: "Deployment", metadata: { name: "d", labels: [] }, spec: { replicas: "3", selector: {}, template: { spec: { containers: [{ image: "x", imagePullPolice: "Always" }] } } } };
    expect(validationErrors(v2, at(v2.schemas, "io.k8s.api.apps.v1.Deployment"), manifest, "Deployment")).toEqual([
      "Deployment.metadata.labels: not an object",
      "Deployment.spec.replicas: not an integer",
      "Deployment.spec.template.spec.containers[0].name: required",
      "Deployment.spec.template.spec.containers[0].imagePullPolice: unknown field",
    ]);
  });
});

it("hands every caller the same document, which none can change", () => {
  expect(openApiV2()).toBe(openApiV2());
  expect(() => {
    (at(openApiV2(), "info") as { title: string }).title = "changed";
  }).toThrow(TypeError);
});
