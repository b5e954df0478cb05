/**
 * The REST paths of each supported kind and the operations on them, as Kubernetes' API server lays them
 * out (apiserver/pkg/endpoints/installer.go): the collection (list, with watch as its `watch` parameter;
 * create; deletecollection), the object (read, replace, patch, delete), its status subresource and, for a
 * kind with spec.replicas, its scale subresource, plus the list across namespaces for a namespaced kind.
 * Both documents are rendered from this one model.
 */
import { supportedKinds, type AnyKindInfo } from "../kinds.js";
import { schemaOf, TYPE_MESSAGE, type FieldSchema } from "../schema.js";
import { definitionName, groupVersionKind, listDefinitionName, type GroupVersionKind } from "./definitions.js";
import { DELETE_OPTIONS, PATCH, SCALE, SCALE_GVK, STATUS } from "./meta-definitions.js";
import { operationPrefix } from "./operation-text.js";

export interface Parameter {
  readonly name: string;
  readonly in: "path" | "query";
  readonly description: string;
  readonly type: "string" | "integer" | "boolean";
  readonly required?: true;
}

export interface Operation {
  readonly method: "get" | "post" | "put" | "patch" | "delete";
  readonly operationId: string;
  readonly description: string;
  /** Kubernetes' x-kubernetes-action. */
  readonly action: "get" | "list" | "post" | "put" | "patch" | "delete" | "deletecollection";
  readonly parameters: readonly Parameter[];
  readonly body?: { readonly definition: string; readonly mediaTypes: readonly string[]; readonly required: boolean };
  /** Response definition by HTTP status code. */
  readonly responses: Readonly<Record<string, string>>;
  readonly produces: readonly string[];
  readonly gvk: GroupVersionKind;
}

export interface PathItem {
  readonly path: string;
  /** The parameters every operation of the path takes: its path parameters and `pretty`. */
  readonly parameters: readonly Parameter[];
  readonly operations: readonly Operation[];
}

/** The path of a group-version, as /openapi/v3 keys it: "api/v1", "apis/apps/v1". */
export function groupVersionPath(kind: AnyKindInfo): string {
  return kind.group === "" ? `api/${kind.apiVersion}` : `apis/${kind.apiVersion}`;
}

const MEDIA_JSON = "application/json";
const WATCH_STREAM = "application/json;stream=watch";
const PATCH_TYPES = ["application/json-patch+json", "application/merge-patch+json", "application/strategic-merge-patch+json", "application/apply-patch+yaml"];

const query = (name: string, type: Parameter["type"], description: string): Parameter => ({ name, in: "query", type, description });
const pathParameter = (name: string, description: string): Parameter => ({ name, in: "path", type: "string", required: true, description });

const pretty = query("pretty", "string", "If 'true', then the output is pretty printed.");
const dryRun = query(
  "dryRun",
  "string",
  "When present, indicates that modifications should not be persisted. An invalid or unrecognized dryRun directive will result in an error response and no further processing of the request. Valid values are: - All: all dry run stages will be processed",
);
const fieldManager = query("fieldManager", "string", "fieldManager is a name associated with the actor or entity that is making these changes.");
// kubectl looks for this parameter on a kind's PATCH operation to decide that the server validates fields.
const fieldValidation = query(
  "fieldValidation",
  "string",
  "fieldValidation instructs the server on how to handle objects in the request (POST/PUT/PATCH) containing unknown or duplicate fields. Valid values are: - Ignore: This will ignore any unknown fields that are silently dropped from the object, and will ignore all but the last duplicate field that the decoder encounters. - Warn: This will send a warning via the standard warning response header for each unknown field that is dropped from the object, and for each duplicate field that is encountered. - Strict: This will fail the request with a BadRequest error if any unknown fields would be dropped from the object, or if any duplicate fields are present. The error returned from the server will contain all unknown and duplicate fields encountered.",
);
const force = query("force", "boolean", "Force is going to \"force\" Apply requests. It means user will re-acquire conflicting fields owned by other people. Force flag must be unset for non-apply patch requests.");
const labelSelector = query("labelSelector", "string", "A selector to restrict the list of returned objects by their labels. Defaults to everything.");
const fieldSelector = query("fieldSelector", "string", "A selector to restrict the list of returned objects by their fields. Defaults to everything.");
const listParameters: readonly Parameter[] = [
  query("allowWatchBookmarks", "boolean", "allowWatchBookmarks requests watch events with type \"BOOKMARK\". Servers that do not implement bookmarks may ignore this flag."),
  query("continue", "string", "The continue option should be set when retrieving more results from the server."),
  fieldSelector,
  labelSelector,
  query("limit", "integer", "limit is a maximum number of responses to return for a list call. If more items exist, the server will set the `continue` field on the list metadata."),
  query("resourceVersion", "string", "resourceVersion sets a constraint on what resource versions a request may be served from."),
  query("resourceVersionMatch", "string", "resourceVersionMatch determines how resourceVersion is applied to list calls."),
  query("sendInitialEvents", "boolean", "`sendInitialEvents=true` may be set together with `watch=true`: the stream begins with synthetic events for the current state of the objects."),
  query("timeoutSeconds", "integer", "Timeout for the list/watch call. This limits the duration of the call, regardless of any activity or inactivity."),
  query("watch", "boolean", "Watch for changes to the described resources and return them as a stream of add, update, and remove notifications. Specify resourceVersion."),
];
const deleteParameters: readonly Parameter[] = [
  dryRun,
  query("gracePeriodSeconds", "integer", "The duration in seconds before the object should be deleted. Value must be non-negative integer. The value zero indicates delete immediately."),
  query("orphanDependents", "boolean", "Deprecated: please use the PropagationPolicy, this field will be deprecated in 1.7. Should the dependent objects be orphaned."),
  query("propagationPolicy", "string", "Whether and how garbage collection will be performed. Acceptable values are: 'Orphan', 'Background' and 'Foreground'."),
];
const writeParameters: readonly Parameter[] = [dryRun, fieldManager, fieldValidation];

function kindPathItems(kind: AnyKindInfo): PathItem[] {
  const gvk = groupVersionKind(kind);
  const object = definitionName(kind.protoTypeName);
  const list = listDefinitionName(kind);
  const scope = kind.namespaced ? "Namespaced" : "";
  const id = (verb: string, suffix = ""): string => `${verb}${operationPrefix(gvk)}${scope}${kind.kind}${suffix}`;
  const base = `/${groupVersionPath(kind)}`;
  const collection = kind.namespaced ? `${base}/namespaces/{namespace}/${kind.plural}` : `${base}/${kind.plural}`;
  const collectionParameters = kind.namespaced ? [pathParameter("namespace", "object name and auth scope, such as for teams and projects"), pretty] : [pretty];
  const objectParameters = [pathParameter("name", `name of the ${kind.kind}`), ...collectionParameters];
  const operation = (o: Omit<Operation, "gvk" | "produces"> & { produces?: readonly string[]; gvk?: GroupVersionKind }): Operation => ({ produces: [MEDIA_JSON], gvk, ...o });
  const patchBody = { definition: PATCH, mediaTypes: PATCH_TYPES, required: true };
  const deleteBody = { definition: DELETE_OPTIONS, mediaTypes: [MEDIA_JSON], required: false };
  const listOperation = (operationId: string): Operation =>
    operation({ method: "get", operationId, description: `list or watch objects of kind ${kind.kind}`, action: "list", parameters: listParameters, responses: { "200": list }, produces: [MEDIA_JSON, WATCH_STREAM] });

  /**
   * The operations on the object or one of its subresources: "read the specified Pod", "read status of
   * the specified Pod"; a scale reads and writes a Scale, under the Scale's GVK.
   */
  const objectOperations = (subresource: "" | "status" | "scale"): Operation[] => {
    const what = subresource ? `${subresource} of the specified ${kind.kind}` : `the specified ${kind.kind}`;
    const suffix = subresource.charAt(0).toUpperCase() + subresource.slice(1);
    const definition = subresource === "scale" ? SCALE : object;
    const scaleGvk = subresource === "scale" ? { gvk: { ...SCALE_GVK } } : {};
    const writeBody = { definition, mediaTypes: [MEDIA_JSON], required: true };
    return [
      operation({ method: "get", operationId: id("read", suffix), description: `read ${what}`, action: "get", parameters: [], responses: { "200": definition }, ...scaleGvk }),
      operation({ method: "put", operationId: id("replace", suffix), description: `replace ${what}`, action: "put", parameters: writeParameters, body: writeBody, responses: { "200": definition, "201": definition }, ...scaleGvk }),
      operation({ method: "patch", operationId: id("patch", suffix), description: `partially update ${what}`, action: "patch", parameters: [...writeParameters, force], body: patchBody, responses: { "200": definition, "201": definition }, ...scaleGvk }),
    ];
  };

  const items: PathItem[] = [
    {
      path: collection,
      parameters: collectionParameters,
      operations: [
        listOperation(id("list")),
        operation({ method: "post", operationId: id("create"), description: `create a ${kind.kind}`, action: "post", parameters: writeParameters, body: { definition: object, mediaTypes: [MEDIA_JSON], required: true }, responses: { "200": object, "201": object, "202": object } }),
        operation({
          method: "delete",
          operationId: `delete${operationPrefix(gvk)}Collection${scope}${kind.kind}`,
          description: `delete collection of ${kind.kind}`,
          action: "deletecollection",
          parameters: [...deleteParameters, ...listParameters.filter((p) => p.name !== "watch" && p.name !== "allowWatchBookmarks")],
          body: deleteBody,
          responses: { "200": STATUS },
        }),
      ],
    },
    {
      path: `${collection}/{name}`,
      parameters: objectParameters,
      operations: [
        ...objectOperations(""),
        operation({ method: "delete", operationId: id("delete"), description: `delete a ${kind.kind}`, action: "delete", parameters: deleteParameters, body: deleteBody, responses: { "200": STATUS, "202": STATUS } }),
      ],
    },
  ];
  const fields = schemaOf(kind.protoTypeName).fields;
  if (fields.has("status")) items.push({ path: `${collection}/{name}/status`, parameters: objectParameters, operations: objectOperations("status") });
  if (hasReplicas(fields.get("spec"))) items.push({ path: `${collection}/{name}/scale`, parameters: objectParameters, operations: objectOperations("scale") });
  if (kind.namespaced) {
    items.push({ path: `${base}/${kind.plural}`, parameters: [pretty], operations: [listOperation(`list${operationPrefix(gvk)}${kind.kind}ForAllNamespaces`)] });
  }
  return items;
}

/** Whether a kind's spec has replicas: the workloads a Scale resizes. */
function hasReplicas(spec: FieldSchema | undefined): boolean {
  return spec?.type === TYPE_MESSAGE && schemaOf(spec.typeName).fields.has("replicas");
}

/** The paths of every kind served at a group-version ("api/v1"), or of all of them. */
export function pathItems(groupVersion?: string): PathItem[] {
  return supportedKinds()
    .filter((k) => groupVersion === undefined || groupVersionPath(k) === groupVersion)
    .flatMap(kindPathItems);
}

/** Every group-version path that serves a kind, in the order the kinds matter. */
export function groupVersionPaths(): string[] {
  return [...new Set(supportedKinds().map(groupVersionPath))];
}
