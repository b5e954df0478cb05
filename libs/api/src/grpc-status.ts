import { Metadata, status, type ServiceError } from "@grpc/grpc-js";
import {
  CapstanError,
  InvalidError,
  isCapstanError,
  UnavailableError,
  type ErrorCode,
  type FieldError,
} from "@capstan/apimachinery";

/** The one mapping between Capstan error codes and gRPC status codes, used by the gateway and clients (in @capstan/api so the gateway need not import the client). */
const grpcCodeOf: Record<ErrorCode, status> = {
  NotFound: status.NOT_FOUND,
  AlreadyExists: status.ALREADY_EXISTS,
  Conflict: status.ABORTED,
  Invalid: status.INVALID_ARGUMENT,
  Forbidden: status.PERMISSION_DENIED,
  Expired: status.OUT_OF_RANGE,
  Unavailable: status.UNAVAILABLE,
  TooManyRequests: status.RESOURCE_EXHAUSTED,
  Internal: status.INTERNAL,
};

const CODE_KEY = "capstan-error-code";
const FIELDS_KEY = "capstan-field-errors";

export interface GrpcErrorStatus {
  code: status;
  details: string;
  metadata: Metadata;
}

export function toGrpcError(e: unknown): GrpcErrorStatus {
  const metadata = new Metadata();
  if (!isCapstanError(e)) {
    metadata.set(CODE_KEY, "Internal");
    return { code: status.INTERNAL, details: e instanceof Error ? e.message : String(e), metadata };
  }
  metadata.set(CODE_KEY, e.code);
  if (e instanceof InvalidError || (e.code === "Invalid" && "fieldErrors" in e)) {
    metadata.set(FIELDS_KEY, asciiJSON((e as InvalidError).fieldErrors));
  }
  return { code: grpcCodeOf[e.code], details: e.message, metadata };
}

/**
 * JSON that a gRPC text header can carry: printable ASCII only, everything else as \u escapes (a
 * rejected name like "grüße" is quoted in its field error). grpc-js throws on any other header value,
 * and the call would never be answered.
 */
function asciiJSON(value: unknown): string {
  return JSON.stringify(value).replace(/[^\x20-\x7e]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);
}

/** The call never reached a gateway (nothing listens there, or it did not answer in time). */
export class GatewayUnreachableError extends UnavailableError {}

/** A call the gateway did not answer within the client's deadline. */
export class DeadlineExceededError extends GatewayUnreachableError {}

/** Turns a gRPC failure back into the Capstan error the gateway raised (or Unavailable for transport failures). */
export function fromServiceError(e: ServiceError): CapstanError {
  const code = e.metadata?.get(CODE_KEY)[0]?.toString() as ErrorCode | undefined;
  const message = e.details || e.message;
  switch (code) {
    case "Invalid": {
      const raw = e.metadata.get(FIELDS_KEY)[0]?.toString();
      const fields = raw ? (JSON.parse(raw) as FieldError[]) : [];
      const error = new InvalidError("request", fields);
      error.message = message;
      return error;
    }
    case undefined:
      if (e.code === status.DEADLINE_EXCEEDED) return new DeadlineExceededError(`gateway unavailable: ${message}`, { cause: e });
      if (e.code === status.UNAVAILABLE) {
        return new GatewayUnreachableError(`gateway unavailable: ${message}`, { cause: e });
      }
      return new CapstanError("Internal", message, { cause: e });
    default:
      return new CapstanError(code, message, { cause: e });
  }
}
