/**
 * The OpenAPI 3.0 documents of the Kubernetes REST API, one per group-version at /openapi/v3/<gv>, and
 * their index at /openapi/v3 — what kubectl (1.27 on) reads for `explain`, for client-side validation and
 * to learn that the server validates fields (the `fieldValidation` parameter of a kind's PATCH).
 * `kubectl explain` finds a kind's schema by the x-kubernetes-group-version-kind of the operations on its
 * path, then the components.schemas entry whose x-kubernetes-group-version-kind lists that same GVK.
 */
import { createHash } from "node:crypto";
import { definitions, type Dialect, type JsonSchema } from "./definitions.js";
import { frozen } from "./frozen.js";
import { operationTag, responseDescription } from "./operation-text.js";
import { groupVersionPaths, pathItems, type Operation, type Parameter } from "./paths.js";

const REF_PREFIX = "#/components/schemas/";

const dialect: Dialect = {
  refPrefix: REF_PREFIX,
  // OpenAPI 3.0 ignores the siblings of a $ref; Kubernetes wraps it in allOf to keep them.
  annotatedRef: (ref, annotations) => ({ ...annotations, allOf: [{ $ref: ref }] }),
  oneOfTypes: (types) => ({ oneOf: types.map((type) => ({ type })) }),
};

function parameter(p: Parameter): JsonSchema {
  return { name: p.name, in: p.in, description: p.description, ...(p.required ? { required: true } : {}), schema: { type: p.type, uniqueItems: true } };
}

function content(mediaTypes: readonly string[], definition: string): JsonSchema {
  return Object.fromEntries(mediaTypes.map((m) => [m, { schema: { $ref: `${REF_PREFIX}${definition}` } }]));
}

function operation(o: Operation): JsonSchema {
  return {
    tags: [operationTag(o.gvk)],
    description: o.description,
    operationId: o.operationId,
    parameters: o.parameters.map(parameter),
    ...(o.body ? { requestBody: { content: content(o.body.mediaTypes, o.body.definition), required: o.body.required } } : {}),
    responses: Object.fromEntries(Object.entries(o.responses).map(([code, definition]) => [code, { description: responseDescription(code), content: content(o.produces, definition) }])),
    "x-kubernetes-action": o.action,
    "x-kubernetes-group-version-kind": { ...o.gvk },
  };
}

/** The names of the definitions a value refers to, and those they refer to in turn. */
function referencedDefinitions(value: unknown, all: Readonly<Record<string, JsonSchema>>, found = new Set<string>()): Set<string> {
  if (Array.isArray(value)) {
    for (const v of value) referencedDefinitions(v, all, found);
  } else if (typeof value === "object" && value !== null) {
    for (const [key, v] of Object.entries(value)) {
      if (key === "$ref" && typeof v === "string" && v.startsWith(REF_PREFIX)) {
        const name = v.slice(REF_PREFIX.length);
        if (!found.has(name)) {
          found.add(name);
          referencedDefinitions(all[name], all, found);
        }
      } else {
        referencedDefinitions(v, all, found);
      }
    }
  }
  return found;
}

function groupVersionDocument(groupVersion: string, all: Readonly<Record<string, JsonSchema>>): object {
  const paths = Object.fromEntries(
    pathItems(groupVersion).map((item) => [item.path, { ...Object.fromEntries(item.operations.map((o) => [o.method, operation(o)])), parameters: item.parameters.map(parameter) }]),
  );
  const schemas = Object.fromEntries([...referencedDefinitions(paths, all)].sort().map((name) => [name, all[name]]));
  return { openapi: "3.0.0", info: { title: "Capstan", version: "v1" }, paths, components: { schemas } };
}

interface V3Documents {
  readonly byGroupVersion: ReadonlyMap<string, object>;
  readonly discovery: object;
}

let documents: V3Documents | undefined;

function v3Documents(): V3Documents {
  if (documents) return documents;
  const all = definitions(dialect);
  const byGroupVersion = new Map(groupVersionPaths().map((gv) => [gv, frozen(groupVersionDocument(gv, all))]));
  // As Kubernetes: the hash changes whenever the document does, so a client may cache by the URL.
  const hashOf = (doc: object): string => createHash("sha512").update(JSON.stringify(doc)).digest("hex").toUpperCase();
  const discovery = frozen({
    paths: Object.fromEntries([...byGroupVersion].map(([gv, doc]) => [gv, { serverRelativeURL: `/openapi/v3/${gv}?hash=${hashOf(doc)}` }])),
  });
  documents = { byGroupVersion, discovery };
  return documents;
}

/** The index served at /openapi/v3: {"paths": {"api/v1": {"serverRelativeURL": "/openapi/v3/api/v1?hash=…"}, …}}. */
export function openApiV3Discovery(): object {
  return v3Documents().discovery;
}

/** The OpenAPI 3.0 document of one group-version ("api/v1", "apis/apps/v1"); undefined for one Capstan does not serve. */
export function openApiV3(groupVersion: string): object | undefined {
  return v3Documents().byGroupVersion.get(groupVersion);
}
