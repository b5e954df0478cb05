/**
 * The swagger 2.0 document of the Kubernetes REST API, served at /openapi/v2: what `kubectl explain` and
 * kubectl's client-side validation read when a server has no OpenAPI v3.
 */
import { definitions, type Dialect, type JsonSchema } from "./definitions.js";
import { frozen } from "./frozen.js";
import { pathItems, type Operation, type Parameter } from "./paths.js";
import { operationTag, responseDescription } from "./operation-text.js";

const dialect: Dialect = {
  refPrefix: "#/definitions/",
  // Kubernetes' own v2 document writes the description and extensions beside the $ref.
  annotatedRef: (ref, annotations) => ({ ...annotations, $ref: ref }),
  oneOfTypes: ([type]) => ({ type }),
};

function parameter(p: Parameter): JsonSchema {
  return { name: p.name, in: p.in, description: p.description, type: p.type, uniqueItems: true, ...(p.required ? { required: true } : {}) };
}

function operation(o: Operation): JsonSchema {
  const body = o.body ? [{ name: "body", in: "body", required: o.body.required, schema: { $ref: `${dialect.refPrefix}${o.body.definition}` } }] : [];
  return {
    description: o.description,
    consumes: o.body ? [...o.body.mediaTypes] : ["*/*"],
    produces: [...o.produces],
    schemes: ["https"],
    tags: [operationTag(o.gvk)],
    operationId: o.operationId,
    parameters: [...body, ...o.parameters.map(parameter)],
    responses: Object.fromEntries(
      Object.entries(o.responses).map(([code, definition]) => [code, { description: responseDescription(code), schema: { $ref: `${dialect.refPrefix}${definition}` } }]),
    ),
    "x-kubernetes-action": o.action,
    "x-kubernetes-group-version-kind": { ...o.gvk },
  };
}

let document: object | undefined;

/** The swagger 2.0 document of every supported kind. Built once; the same frozen object every call. */
export function openApiV2(): object {
  document ??= frozen({
    swagger: "2.0",
    info: { title: "Capstan", version: "v1" },
    paths: Object.fromEntries(
      pathItems().map((item) => [item.path, { ...Object.fromEntries(item.operations.map((o) => [o.method, operation(o)])), parameters: item.parameters.map(parameter) }]),
    ),
    definitions: definitions(dialect),
  });
  return document;
}
