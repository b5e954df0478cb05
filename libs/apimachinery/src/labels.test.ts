import { describe, expect, it } from "vitest";
import { validateLabelKey, validateLabelValue, validateLabels } from "./labels.js";

const nameRule =
  "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')";
const valueRule =
  "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')";

describe("validateLabelKey", () => {
  it.each([
    { name: "plain", key: "app", want: [] },
    { name: "with prefix", key: "app.kubernetes.io/name", want: [] },
    { name: "mixed case and underscores", key: "My_Key.v1", want: [] },
    { name: "63-character name", key: "a".repeat(63), want: [] },
    { name: "64-character name", key: "a".repeat(64), want: ["name part must be no more than 63 characters"] },
    { name: "empty", key: "", want: ["name part must be non-empty", nameRule] },
    { name: "space", key: "my key", want: [nameRule] },
    { name: "empty prefix", key: "/app", want: ["prefix part must be non-empty"] },
    { name: "empty name after prefix", key: "example.com/", want: ["name part must be non-empty", nameRule] },
    {
      name: "upper-case prefix",
      key: "Example.com/app",
      want: [
        "prefix part a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')",
      ],
    },
    {
      name: "two slashes",
      key: "a/b/c",
      want: [
        "a qualified name must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]') with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')",
      ],
    },
  ])("$name", ({ key, want }) => {
    expect(validateLabelKey(key)).toEqual(want);
  });
});

describe("validateLabelValue", () => {
  it.each([
    { name: "empty", value: "", want: [] },
    { name: "plain", value: "v1", want: [] },
    { name: "dots dashes underscores", value: "a.b-c_d", want: [] },
    { name: "63 characters", value: "a".repeat(63), want: [] },
    { name: "64 characters", value: "a".repeat(64), want: ["must be no more than 63 characters"] },
    { name: "trailing dash", value: "v1-", want: [valueRule] },
    { name: "slash", value: "a/b", want: [valueRule] },
  ])("$name", ({ value, want }) => {
    expect(validateLabelValue(value)).toEqual(want);
  });
});

describe("validateLabels", () => {
  it.each([
    { name: "valid", labels: { app: "web", "example.com/tier": "" }, want: [] },
    { name: "absent", labels: undefined, want: [] },
    {
      name: "bad key and bad value both reported at the map",
      labels: { "bad key": "ok", good: "-bad" },
      want: [
        { path: "metadata.labels", message: `Invalid value "bad key": ${nameRule}` },
        { path: "metadata.labels", message: `Invalid value "-bad": ${valueRule}` },
      ],
    },
  ])("$name", ({ labels, want }) => {
    expect(validateLabels(labels, "metadata.labels")).toEqual(want);
  });
});
