import { describe, expect, it } from "vitest";
import { AlreadyExistsError, CapstanError, ConflictError, ExpiredError, ForbiddenError, InvalidError, NotFoundError, UnavailableError } from "@capstan/apimachinery";
import { ApplyConflictError } from "@capstan/api";
import { badRequest, statusOf } from "./status.js";

const web = { kind: "Pod", namespace: "shop", name: "web" };
const deploy = { kind: "Deployment", namespace: "shop", name: "web" };

describe("statusOf", () => {
  it.each([
    { name: "NotFound names the resource", e: new NotFoundError(web), code: 404, reason: "NotFound", message: 'pods "web" not found', details: { name: "web", kind: "pods" } },
    { name: "NotFound of a named group", e: new NotFoundError(deploy), code: 404, reason: "NotFound", message: 'deployments.apps "web" not found', details: { name: "web", group: "apps", kind: "deployments" } },
    { name: "AlreadyExists", e: new AlreadyExistsError(web), code: 409, reason: "AlreadyExists", message: 'pods "web" already exists', details: { name: "web", kind: "pods" } },
    {
      name: "Conflict in Kubernetes' words",
      e: new ConflictError(web, "the object has been modified; please apply your changes to the latest version and try again"),
      code: 409,
      reason: "Conflict",
      message: 'Operation cannot be fulfilled on pods "web": the object has been modified; please apply your changes to the latest version and try again',
      details: { name: "web", kind: "pods" },
    },
    {
      name: "an apply's conflicts as causes, naming no object (NewApplyConflict)",
      e: new ApplyConflictError([{ manager: "kubectl", operation: "Update", apiVersion: "apps/v1", subresource: "scale", field: ".spec.replicas" }]),
      code: 409,
      reason: "Conflict",
      message: 'Apply failed with 1 conflict: conflict with "kubectl" with subresource "scale" using apps/v1: .spec.replicas',
      details: { causes: [{ reason: "FieldManagerConflict", message: 'conflict with "kubectl" with subresource "scale" using apps/v1', field: ".spec.replicas" }] },
    },
    { name: "Forbidden", e: new ForbiddenError("no"), code: 403, reason: "Forbidden", message: "no", details: undefined },
    { name: "Expired is 410", e: new ExpiredError(3, 10), code: 410, reason: "Expired", message: "too old resource version: 3 (oldest available 10)", details: undefined },
    { name: "Unavailable", e: new UnavailableError("node down"), code: 503, reason: "ServiceUnavailable", message: "node down", details: undefined },
    { name: "Internal", e: new CapstanError("Internal", "boom"), code: 500, reason: "InternalError", message: "boom", details: undefined },
    { name: "an unexpected error", e: new Error("boom"), code: 500, reason: "InternalError", message: "Internal error occurred: boom", details: undefined },
    { name: "a refusal of the HTTP layer", e: badRequest("bad query"), code: 400, reason: "BadRequest", message: "bad query", details: undefined },
  ])("$name", ({ e, code, reason, message, details }) => {
    const status = statusOf(e);
    expect(status).toMatchObject({ kind: "Status", apiVersion: "v1", status: "Failure", code, reason, message });
    expect(status.details).toEqual(details);
  });

  it("answers Invalid with 422 and a cause per field error, naming the kind and the object kubectl prints", () => {
    const e = new InvalidError('Pod "web"', [
      { path: "spec.containers[0].image", message: "Required value" },
      { path: "metadata.name", message: 'Invalid value "Web": must be lower case' },
      { path: "spec.restartPolicy", message: 'Unsupported value "Sometimes": supported values: "Always"' },
      { path: "spec.bogus", message: "unknown field" },
    ]);
    expect(statusOf(e, { kind: "Pod", name: "web" })).toEqual({
      kind: "Status",
      apiVersion: "v1",
      metadata: {},
      status: "Failure",
      code: 422,
      reason: "Invalid",
      message: e.message,
      details: {
        name: "web",
        group: "",
        kind: "Pod",
        causes: [
          { reason: "FieldValueRequired", field: "spec.containers[0].image", message: "Required value" },
          { reason: "FieldValueInvalid", field: "metadata.name", message: 'Invalid value "Web": must be lower case' },
          { reason: "FieldValueNotSupported", field: "spec.restartPolicy", message: 'Unsupported value "Sometimes": supported values: "Always"' },
          { reason: "FieldValueInvalid", field: "spec.bogus", message: "unknown field" },
        ],
      },
    });
  });
});
