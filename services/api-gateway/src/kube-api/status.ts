/**
 * The Kubernetes API's failures: `kind: Status` bodies with the reason and code kubectl reads
 * (k8s.io/apimachinery/pkg/api/errors). The one mapping from Capstan's errors to HTTP lives here.
 */
import { applyConflictCauses, findKind, isApplyConflictError } from "@capstan/api";
import { InvalidError, isCapstanError, TooManyRequestsError, type ErrorCode, type FieldError, type ObjectKey } from "@capstan/apimachinery";

export interface StatusCause {
  readonly reason: string;
  readonly message: string;
  readonly field?: string;
}

export interface StatusDetails {
  readonly name?: string;
  readonly group?: string;
  readonly kind?: string;
  readonly causes?: readonly StatusCause[];
  readonly retryAfterSeconds?: number;
}

export interface Status {
  readonly kind: "Status";
  readonly apiVersion: "v1";
  readonly metadata: Record<string, never>;
  readonly status: "Success" | "Failure";
  readonly message: string;
  readonly reason: string;
  readonly code: number;
  readonly details?: StatusDetails;
}

/** A refusal of the HTTP layer itself (a malformed query, an unknown patch type): no Capstan error stands for it. */
export class KubeApiError extends Error {
  constructor(
    readonly code: number,
    readonly reason: string,
    message: string,
  ) {
    super(message);
  }
}

export const badRequest = (message: string) => new KubeApiError(400, "BadRequest", message);
export const notFoundPath = () => new KubeApiError(404, "NotFound", "the server could not find the requested resource");
export const methodNotAllowed = (method: string) => new KubeApiError(405, "MethodNotAllowed", `the server does not allow this method on the requested resource (${method})`);
export const notAcceptable = (served: string) => new KubeApiError(406, "NotAcceptable", `only the following media types are accepted: ${served}`);
export const unsupportedMediaType = (contentType: string, accepted: readonly string[]) =>
  new KubeApiError(415, "UnsupportedMediaType", `the body of the request was in an unknown format - accepted media types include: ${accepted.join(", ")} (got ${JSON.stringify(contentType)})`);

const httpOf: Record<ErrorCode, { code: number; reason: string }> = {
  NotFound: { code: 404, reason: "NotFound" },
  AlreadyExists: { code: 409, reason: "AlreadyExists" },
  Conflict: { code: 409, reason: "Conflict" },
  Invalid: { code: 422, reason: "Invalid" },
  Forbidden: { code: 403, reason: "Forbidden" },
  Expired: { code: 410, reason: "Expired" },
  Unavailable: { code: 503, reason: "ServiceUnavailable" },
  TooManyRequests: { code: 429, reason: "TooManyRequests" },
  Internal: { code: 500, reason: "InternalError" },
};

/** What a request was about, for the details kubectl prints (`The Pod "web" is invalid`). */
export interface StatusTarget {
  kind: string;
  name: string;
}

/** The Status of a request that answers with no object (a Binding's create). */
export function success(code: number): Record<string, unknown> {
  return { kind: "Status", apiVersion: "v1", metadata: {}, status: "Success", code };
}

/** The Status a failed request answers with; anything unexpected is an InternalError. */
export function statusOf(e: unknown, target?: StatusTarget): Status {
  if (e instanceof KubeApiError) return failure(e.code, e.reason, e.message);
  if (!isCapstanError(e)) return failure(500, "InternalError", `Internal error occurred: ${e instanceof Error ? e.message : String(e)}`);
  const { code, reason } = httpOf[e.code];
  const key = "key" in e ? (e.key as ObjectKey) : undefined;
  const info = findKind(key?.kind ?? target?.kind ?? "");
  const name = key?.name ?? target?.name;
  const resource = info ? { ...(info.group ? { group: info.group } : {}), kind: info.plural } : {};
  switch (e.code) {
    case "NotFound":
    case "AlreadyExists":
      // Kubernetes names the resource, not the kind: `pods "web" not found`.
      return failure(code, reason, info && name !== undefined ? `${qualified(info.plural, info.group)} "${name}" ${e.code === "NotFound" ? "not found" : "already exists"}` : e.message, {
        ...(name !== undefined ? { name } : {}),
        ...resource,
      });
    case "Conflict":
      // An apply's conflicts are listed as causes, with no object named (the apiserver's NewApplyConflict).
      if (isApplyConflictError(e)) return failure(code, reason, e.message, { causes: applyConflictCauses(e.conflicts) });
      // Kubernetes names the resource here too: `Operation cannot be fulfilled on pods "web": why`.
      return failure(code, reason, info && name !== undefined && "reason" in e ? `Operation cannot be fulfilled on ${qualified(info.plural, info.group)} "${name}": ${String(e.reason)}` : e.message, {
        ...(name !== undefined ? { name } : {}),
        ...resource,
      });
    case "Invalid": {
      const fieldErrors = e instanceof InvalidError || "fieldErrors" in e ? (e as InvalidError).fieldErrors : [];
      // For Invalid Kubernetes details name the kind, which kubectl prints: `The Pod "web" is invalid`.
      return failure(code, reason, e.message, {
        ...(target?.name ? { name: target.name } : {}),
        ...(info ? { group: info.group, kind: info.kind } : {}),
        causes: fieldErrors.map(causeOf),
      });
    }
    case "TooManyRequests": {
      const { causes = [], retryAfterSeconds = 0 } = e instanceof TooManyRequestsError ? e : {};
      return failure(code, reason, e.message, {
        ...(causes.length > 0 ? { causes: causes.map((c) => ({ reason: c.type, message: c.message })) } : {}),
        ...(retryAfterSeconds > 0 ? { retryAfterSeconds } : {}),
      });
    }
    default:
      return failure(code, reason, e.message);
  }
}

function failure(code: number, reason: string, message: string, details?: StatusDetails): Status {
  return { kind: "Status", apiVersion: "v1", metadata: {}, status: "Failure", message, reason, code, ...(details ? { details } : {}) };
}

function qualified(plural: string, group: string): string {
  return group ? `${plural}.${group}` : plural;
}

/** Kubernetes' cause types (metav1.CauseType), read from the rule a FieldError's message starts with. */
const causeReasons: readonly [prefix: string, reason: string][] = [
  ["Required value", "FieldValueRequired"],
  ["Invalid value", "FieldValueInvalid"],
  ["Unsupported value", "FieldValueNotSupported"],
  ["Duplicate value", "FieldValueDuplicate"],
  ["Not found", "FieldValueNotFound"],
  ["Forbidden", "FieldValueForbidden"],
  ["Too long", "FieldValueTooLong"],
  ["Too many", "FieldValueTooMany"],
  ["unknown field", "FieldValueInvalid"],
];

export function causeOf(f: FieldError): StatusCause {
  const reason = causeReasons.find(([prefix]) => f.message.startsWith(prefix))?.[1] ?? "FieldValueInvalid";
  return { reason, message: f.message, field: f.path };
}
