/**
 * What the gateway checks of a request before any verb runs: that its body decodes, and that the
 * fields the verb needs are there. Kubernetes' REST handlers refuse a request without a name the same
 * way, before storage is asked; here each refusal is an InvalidError naming the field, so a client in
 * any language gets INVALID_ARGUMENT and a line that says what to fix.
 */
import type { ServiceDefinition } from "@grpc/grpc-js";
import { findKind, unsupportedKindError } from "@capstan/api";
import { field, InvalidError, type FieldError } from "@capstan/apimachinery";

const SUBJECT = "request";

/**
 * A body that is not the method's protobuf message, handed to the handler in place of the request.
 * grpc-js answers a decoder that throws with INTERNAL "Error deserializing request"; this keeps the
 * answer to the handler, which refuses it as invalid input.
 */
export class UndecodableRequest {
  readonly error: InvalidError;

  constructor(method: string, cause: unknown) {
    const reason = cause instanceof Error ? cause.message : String(cause);
    this.error = invalidRequest([{ path: "body", message: `Invalid value: cannot decode a ${method} request: ${reason}` }]);
  }
}

/** The service with every request decoder answering an undecodable body with an UndecodableRequest. */
export function withUndecodableRequests(service: ServiceDefinition): ServiceDefinition {
  return Object.fromEntries(
    Object.entries(service).map(([name, method]) => [
      name,
      {
        ...method,
        requestDeserialize: (bytes: Buffer) => {
          try {
            return method.requestDeserialize(bytes);
          } catch (cause) {
            return new UndecodableRequest(method.path, cause);
          }
        },
      },
    ]),
  );
}

/** Create, Update, UpdateStatus and Finalize carry the object. */
export function objectRequestErrors(req: { readonly object?: unknown }): FieldError[] {
  return req.object === undefined ? [field.required("object")] : [];
}

/** List and Watch name a kind Capstan serves. */
export function kindRequestErrors(req: { readonly kind: string }): FieldError[] {
  return findKind(req.kind) ? [] : [unsupportedKindError(req.kind)];
}

/** Get and Delete name one object of a kind Capstan serves. */
export function keyRequestErrors(req: { readonly kind: string; readonly name: string }): FieldError[] {
  return [...kindRequestErrors(req), ...nameErrors(req.name)];
}

/** A binding names its pod and the node (Kubernetes' Binding: target.name is required). */
export function bindRequestErrors(req: { readonly name: string; readonly nodeName: string }): FieldError[] {
  return [...nameErrors(req.name), ...(req.nodeName === "" ? [field.required("nodeName")] : [])];
}

/** Logs and evictions name the pod (the namespace defaults). */
export function podRequestErrors(req: { readonly name: string }): FieldError[] {
  return nameErrors(req.name);
}

/** An exec starts with what to run where: the pod and a command; an attach names no command, and has no stdin to attach to. */
export function execStartErrors(
  start: { readonly name: string; readonly command: readonly string[]; readonly stdin: boolean; readonly tty: boolean } | undefined,
  verb: "exec" | "attach",
): FieldError[] {
  if (!start) return [field.required("start")];
  const errors = start.name === "" ? [field.required("start.name")] : [];
  if (verb === "exec") return start.command.length === 0 ? [...errors, field.required("start.command")] : errors;
  if (start.command.length > 0) errors.push(field.forbidden("start.command", "attach runs no command"));
  if (start.stdin || start.tty) errors.push(field.forbidden(start.stdin ? "start.stdin" : "start.tty", "Capstan containers run without stdin or a TTY to attach to"));
  return errors;
}

function nameErrors(name: string): FieldError[] {
  return name === "" ? [field.required("name")] : [];
}

/** The error a request breaking these rules is refused with. */
export function invalidRequest(errors: readonly FieldError[]): InvalidError {
  return new InvalidError(SUBJECT, errors);
}

/** Throws the InvalidError of a request that breaks any of these rules. */
export function throwIfInvalidRequest(errors: readonly FieldError[]): void {
  if (errors.length > 0) throw invalidRequest(errors);
}
