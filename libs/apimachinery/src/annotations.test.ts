import { describe, expect, it } from "vitest";
import { TOTAL_ANNOTATION_SIZE_LIMIT_BYTES, validateAnnotations } from "./annotations.js";

describe("validateAnnotations", () => {
  it.each([
    { name: "absent", annotations: undefined, want: [] },
    { name: "upper case is fine", annotations: { "Example.com/Note": "x" }, want: [] },
    { name: "values may be anything", annotations: { note: "any text / with: symbols" }, want: [] },
    {
      name: "invalid key",
      annotations: { "bad key": "x" },
      want: [{ path: "metadata.annotations", message: expect.stringMatching(/^Invalid value "bad key": name part must consist of/) }],
    },
    {
      name: "at the size limit",
      annotations: { a: "x".repeat(TOTAL_ANNOTATION_SIZE_LIMIT_BYTES - 1) },
      want: [],
    },
    {
      name: "over the size limit",
      annotations: { a: "x".repeat(TOTAL_ANNOTATION_SIZE_LIMIT_BYTES) },
      want: [{ path: "metadata.annotations", message: "Too long: may not be more than 262144 bytes" }],
    },
  ])("$name", ({ annotations, want }) => {
    expect(validateAnnotations(annotations, "metadata.annotations")).toEqual(want);
  });
});
