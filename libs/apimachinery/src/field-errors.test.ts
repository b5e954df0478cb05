import { describe, expect, it } from "vitest";
import { child, duplicate, forbidden, invalid, notFound, notSupported, required, tooLong } from "./field-errors.js";

describe("field errors", () => {
  it.each([
    { name: "required", error: required("metadata.name"), message: "Required value" },
    { name: "required with detail", error: required("spec.volumes[0]", "must specify a volume type"), message: "Required value: must specify a volume type" },
    { name: "invalid string", error: invalid("metadata.name", "A_b", "must be lower case"), message: 'Invalid value "A_b": must be lower case' },
    { name: "invalid number", error: invalid("spec.x", -1, "must be greater than or equal to 0"), message: "Invalid value -1: must be greater than or equal to 0" },
    { name: "unsupported", error: notSupported("spec.restartPolicy", "Sometimes", ["Always", "Never"]), message: 'Unsupported value "Sometimes": supported values: "Always", "Never"' },
    { name: "duplicate", error: duplicate("spec.containers[1].name", "web"), message: 'Duplicate value: "web"' },
    { name: "not found", error: notFound("spec.containers[0].volumeMounts[0].name", "data"), message: 'Not found: "data"' },
    { name: "forbidden", error: forbidden("metadata.namespace", "not allowed on this type"), message: "Forbidden: not allowed on this type" },
    { name: "too long", error: tooLong("metadata", "object size 3 exceeds the limit of 2 bytes"), message: "Too long: object size 3 exceeds the limit of 2 bytes" },
  ])("$name", ({ error, message }) => {
    expect(error.message).toBe(message);
  });

  it.each([
    { name: "from the root", base: "", name2: "spec", want: "spec" },
    { name: "nested", base: "spec", name2: "containers", want: "spec.containers" },
  ])("child $name", ({ base, name2, want }) => {
    expect(child(base, name2)).toBe(want);
  });
});
