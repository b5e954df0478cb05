import { describe, expect, it } from "vitest";
import { status, type ServiceError } from "@grpc/grpc-js";
import { InvalidError, isCapstanError, NotFoundError } from "@capstan/apimachinery";
import { fromServiceError, toGrpcError } from "./grpc-status.js";

/** What a client receives for the status the gateway answered with. */
function received(e: unknown): ServiceError {
  const s = toGrpcError(e);
  return Object.assign(new Error(s.details), { code: s.code, details: s.details, metadata: s.metadata });
}

describe("gRPC errors", () => {
  it.each([
    { name: "ASCII", value: "Bad_Name" },
    { name: "letters beyond ASCII", value: "grüße" },
    { name: "a character beyond the BMP and a control character", value: "🚀\u007f\n" },
  ])("carry an InvalidError's field errors in a header, whole, with $name", ({ value }) => {
    const fieldErrors = [{ path: "metadata.name", message: `Invalid value ${JSON.stringify(value)}: must be a DNS name` }];
    const sent = new InvalidError(`Pod "${value}"`, fieldErrors);

    const back = fromServiceError(received(sent));

    expect(received(sent).code).toBe(status.INVALID_ARGUMENT);
    expect(isCapstanError(back, "Invalid")).toBe(true);
    expect((back as InvalidError).fieldErrors).toEqual(fieldErrors);
    expect(back.message).toBe(sent.message);
  });

  it("map each Capstan code to its gRPC code and back", () => {
    const back = fromServiceError(received(new NotFoundError({ kind: "Pod", namespace: "default", name: "grüße" })));
    expect(isCapstanError(back, "NotFound")).toBe(true);
    expect(back.message).toBe('Pod "default/grüße" not found');
  });
});
