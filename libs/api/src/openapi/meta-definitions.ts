/**
 * The types the REST API speaks besides the kinds — list metadata, Status, DeleteOptions, WatchEvent,
 * Patch, the scale subresource's Scale — and the scalar types Kubernetes names (Quantity, IntOrString,
 * RawExtension). They have no message in proto/ (the gRPC API carries them otherwise), so their shapes
 * are Kubernetes' own.
 */
import type { Dialect, JsonSchema } from "./definitions.js";

const META = "io.k8s.apimachinery.pkg.apis.meta.v1";
export const QUANTITY = "io.k8s.apimachinery.pkg.api.resource.Quantity";
export const INT_OR_STRING = "io.k8s.apimachinery.pkg.util.intstr.IntOrString";
export const RAW_EXTENSION = "io.k8s.apimachinery.pkg.runtime.RawExtension";
export const LIST_META = `${META}.ListMeta`;
export const STATUS = `${META}.Status`;
export const DELETE_OPTIONS = `${META}.DeleteOptions`;
export const WATCH_EVENT = `${META}.WatchEvent`;
export const PATCH = `${META}.Patch`;
export const SCALE = "io.k8s.api.autoscaling.v1.Scale";
export const SCALE_GVK = { group: "autoscaling", version: "v1", kind: "Scale" } as const;
const SCALE_SPEC = "io.k8s.api.autoscaling.v1.ScaleSpec";
const SCALE_STATUS = "io.k8s.api.autoscaling.v1.ScaleStatus";
const STATUS_DETAILS = `${META}.StatusDetails`;
const STATUS_CAUSE = `${META}.StatusCause`;
const PRECONDITIONS = `${META}.Preconditions`;

const string = (description: string): JsonSchema => ({ description, type: "string" });
const integer = (description: string, format: "int32" | "int64"): JsonSchema => ({ description, type: "integer", format });

export function metaDefinitions(dialect: Dialect): Record<string, JsonSchema> {
  const ref = (name: string, description: string): JsonSchema => dialect.annotatedRef(`${dialect.refPrefix}${name}`, { description });
  return {
    [QUANTITY]: {
      description:
        "Quantity is a fixed-point representation of a number: a decimal or binary SI suffix (\"100m\", \"1Gi\") or a plain number. A JSON number is accepted on input and written back as a string.",
      ...dialect.oneOfTypes(["string", "number"]),
    },
    [INT_OR_STRING]: {
      description: "IntOrString is a type that can hold an int32 or a string. When used in JSON or YAML marshalling and unmarshalling, it produces or consumes the inner type.",
      ...dialect.oneOfTypes(["string", "integer"]),
      format: "int-or-string",
      "x-kubernetes-int-or-string": true,
    },
    [RAW_EXTENSION]: {
      description: "RawExtension holds any JSON object, taken as written.",
      type: "object",
      "x-kubernetes-preserve-unknown-fields": true,
    },
    [LIST_META]: {
      description: "ListMeta describes metadata that synthetic resources must have, including lists and various status objects.",
      type: "object",
      properties: {
        continue: string("continue may be set if the user set a limit on the number of items returned, and indicates that the server has more data available."),
        remainingItemCount: integer("remainingItemCount is the number of subsequent items in the list which are not included in this list response.", "int64"),
        resourceVersion: string("String that identifies the server's internal version of this object that can be used by clients to determine when objects have changed."),
      },
    },
    [STATUS_CAUSE]: {
      description: "StatusCause provides more information about an api.Status failure, including cases when multiple errors are encountered.",
      type: "object",
      properties: {
        field: string("The field of the resource that has caused this error, as named by its JSON serialization."),
        message: string("A human-readable description of the cause of the error."),
        reason: string("A machine-readable description of the cause of the error."),
      },
    },
    [STATUS_DETAILS]: {
      description: "StatusDetails is a set of additional properties that MAY be set by the server to provide additional information about a response.",
      type: "object",
      properties: {
        causes: { description: "The Causes array includes more details associated with the StatusReason failure.", type: "array", items: { $ref: `${dialect.refPrefix}${STATUS_CAUSE}` } },
        group: string("The group attribute of the resource associated with the status StatusReason."),
        kind: string("The kind attribute of the resource associated with the status StatusReason."),
        name: string("The name attribute of the resource associated with the status StatusReason (when there is a single name which can be described)."),
        retryAfterSeconds: integer("If specified, the time in seconds before the operation should be retried.", "int32"),
        uid: string("UID of the resource (when there is a single resource which can be described)."),
      },
    },
    [STATUS]: {
      description: "Status is a return value for calls that don't return other objects.",
      type: "object",
      properties: {
        apiVersion: string("APIVersion defines the versioned schema of this representation of an object."),
        code: integer("Suggested HTTP return code for this status, 0 if not set.", "int32"),
        details: ref(STATUS_DETAILS, "Extended data associated with the reason."),
        kind: string("Kind is a string value representing the REST resource this object represents."),
        message: string("A human-readable description of the status of this operation."),
        metadata: ref(LIST_META, "Standard list metadata."),
        reason: string("A machine-readable description of why this operation is in the \"Failure\" status."),
        status: string("Status of the operation. One of: \"Success\" or \"Failure\"."),
      },
      "x-kubernetes-group-version-kind": [{ group: "", kind: "Status", version: "v1" }],
    },
    [PRECONDITIONS]: {
      description: "Preconditions must be fulfilled before an operation (update, delete, etc.) is carried out.",
      type: "object",
      properties: {
        resourceVersion: string("Specifies the target ResourceVersion"),
        uid: string("Specifies the target UID."),
      },
    },
    [DELETE_OPTIONS]: {
      description: "DeleteOptions may be provided when deleting an API object.",
      type: "object",
      properties: {
        apiVersion: string("APIVersion defines the versioned schema of this representation of an object."),
        dryRun: { description: "When present, indicates that modifications should not be persisted. Valid values are: - All: all dry run stages will be processed", type: "array", items: { type: "string" } },
        gracePeriodSeconds: integer("The duration in seconds before the object should be deleted. Value must be non-negative integer. The value zero indicates delete immediately.", "int64"),
        kind: string("Kind is a string value representing the REST resource this object represents."),
        orphanDependents: { description: "Deprecated: please use the PropagationPolicy. Should the dependent objects be orphaned.", type: "boolean" },
        preconditions: ref(PRECONDITIONS, "Must be fulfilled before a deletion is carried out. If not possible, a 409 Conflict status will be returned."),
        propagationPolicy: string("Whether and how garbage collection will be performed. Acceptable values are: 'Orphan', 'Background' and 'Foreground'."),
      },
    },
    [WATCH_EVENT]: {
      description: "Event represents a single event to a watched resource.",
      type: "object",
      required: ["type", "object"],
      properties: {
        object: ref(RAW_EXTENSION, "Object is: * If Type is Added or Modified: the new state of the object. * If Type is Deleted: the state of the object immediately before deletion. * If Type is Error: *Status is recommended; other types may make sense depending on context."),
        type: string("ADDED, MODIFIED, DELETED, BOOKMARK or ERROR."),
      },
    },
    [PATCH]: {
      description: "Patch is provided to give a concrete name and type to the Kubernetes PATCH request body.",
      type: "object",
    },
    [SCALE]: {
      description: "Scale represents a scaling request for a resource.",
      type: "object",
      properties: {
        apiVersion: string("APIVersion defines the versioned schema of this representation of an object."),
        kind: string("Kind is a string value representing the REST resource this object represents."),
        metadata: ref(`${META}.ObjectMeta`, "Standard object metadata; More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#metadata."),
        spec: ref(SCALE_SPEC, "spec defines the behavior of the scale."),
        status: ref(SCALE_STATUS, "status is the current status of the scale. Read-only."),
      },
      "x-kubernetes-group-version-kind": [{ ...SCALE_GVK }],
    },
    [SCALE_SPEC]: {
      description: "ScaleSpec describes the attributes of a scale subresource.",
      type: "object",
      properties: { replicas: integer("replicas is the desired number of instances for the scaled object.", "int32") },
    },
    [SCALE_STATUS]: {
      description: "ScaleStatus represents the current status of a scale subresource.",
      type: "object",
      required: ["replicas"],
      properties: {
        replicas: integer("replicas is the actual number of observed instances of the scaled object.", "int32"),
        selector: string("selector is the label query over pods that should match the replicas count, in the string form of a label selector."),
      },
    },
  };
}
