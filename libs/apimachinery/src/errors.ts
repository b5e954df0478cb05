/**
 * The one error family of Capstan. Every thrown domain error carries a stable `code` and a brand, so a
 * check works across package copies (`isCapstanError(e, "Conflict")`) where `instanceof` would not.
 * The gateway maps codes to gRPC status codes in one place; clients map them back.
 */
const brand = Symbol.for("capstan.error");

export type ErrorCode =
  | "NotFound"
  | "AlreadyExists"
  | "Conflict"
  | "Invalid"
  | "Forbidden"
  | "Expired"
  | "Unavailable"
  | "TooManyRequests"
  | "Internal";

export class CapstanError extends Error {
  readonly [brand] = true;
  constructor(
    readonly code: ErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = code;
  }
}

export interface ObjectKey {
  readonly kind: string;
  readonly namespace: string;
  readonly name: string;
}

function describeKey(key: ObjectKey): string {
  return key.namespace ? `${key.kind} "${key.namespace}/${key.name}"` : `${key.kind} "${key.name}"`;
}

export class NotFoundError extends CapstanError {
  constructor(readonly key: ObjectKey) {
    super("NotFound", `${describeKey(key)} not found`);
  }
}

export class AlreadyExistsError extends CapstanError {
  constructor(readonly key: ObjectKey) {
    super("AlreadyExists", `${describeKey(key)} already exists`);
  }
}

export class ConflictError extends CapstanError {
  constructor(
    readonly key: ObjectKey,
    readonly reason: string,
  ) {
    super("Conflict", `Operation cannot be fulfilled on ${describeKey(key)}: ${reason}`);
  }
}

/** One violated rule at one field path, e.g. `metadata.name: Invalid value "A_b": must be ...`. */
export interface FieldError {
  readonly path: string;
  readonly message: string;
}

export class InvalidError extends CapstanError {
  constructor(
    readonly subject: string,
    readonly fieldErrors: readonly FieldError[],
  ) {
    super("Invalid", `${subject} is invalid: ${fieldErrors.map((f) => `${f.path}: ${f.message}`).join("; ")}`);
  }
}

export class ForbiddenError extends CapstanError {
  constructor(message: string) {
    super("Forbidden", message);
  }
}

/** A watch asked for a revision the stream no longer holds; the client must re-list. */
export class ExpiredError extends CapstanError {
  constructor(
    readonly requested: number,
    readonly oldest: number,
  ) {
    super("Expired", `too old resource version: ${requested} (oldest available ${oldest})`);
  }
}

/** Refused for now, not for good: the same request may succeed later (an eviction a disruption budget holds back). */
export class TooManyRequestsError extends CapstanError {
  constructor(
    message: string,
    /** Why, in one sentence each (Kubernetes' Status details.causes). */
    readonly causes: readonly { readonly type: string; readonly message: string }[] = [],
    readonly retryAfterSeconds = 0,
  ) {
    super("TooManyRequests", message);
  }
}

export class UnavailableError extends CapstanError {
  constructor(message: string, options?: { cause?: unknown }) {
    super("Unavailable", message, options);
  }
}

export function isCapstanError(e: unknown, code?: ErrorCode): e is CapstanError {
  return typeof e === "object" && e !== null && brand in e && (code === undefined || (e as CapstanError).code === code);
}
