import { describe, expect, it } from "vitest";
import {
  validateCIdentifier,
  validateDNS1123Label,
  validateDNS1123Subdomain,
  validateEnvVarName,
  validatePortName,
  validatePortNumber,
} from "./names.js";

const subdomainRule =
  "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";
const labelRule =
  "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')";

describe("validateDNS1123Subdomain", () => {
  it.each([
    { name: "simple", value: "example.com", want: [] },
    { name: "digits first", value: "1st", want: [] },
    { name: "253 characters", value: `${"a".repeat(63)}.${"b".repeat(63)}.${"c".repeat(63)}.${"d".repeat(61)}`, want: [] },
    { name: "upper case", value: "Example.com", want: [subdomainRule] },
    { name: "underscore", value: "my_name", want: [subdomainRule] },
    { name: "leading dash", value: "-a", want: [subdomainRule] },
    { name: "trailing dot", value: "a.", want: [subdomainRule] },
    { name: "empty", value: "", want: [subdomainRule] },
    { name: "254 characters", value: "a".repeat(254), want: ["must be no more than 253 characters"] },
  ])("$name", ({ value, want }) => {
    expect(validateDNS1123Subdomain(value)).toEqual(want);
  });
});

describe("validateDNS1123Label", () => {
  it.each([
    { name: "simple", value: "my-name", want: [] },
    { name: "63 characters", value: "a".repeat(63), want: [] },
    { name: "64 characters", value: "a".repeat(64), want: ["must be no more than 63 characters"] },
    { name: "dots", value: "a.b", want: ["must not contain dots"] },
    { name: "upper case", value: "MyName", want: [labelRule] },
    { name: "trailing dash", value: "a-", want: [labelRule] },
    { name: "empty", value: "", want: [labelRule] },
  ])("$name", ({ value, want }) => {
    expect(validateDNS1123Label(value)).toEqual(want);
  });
});

describe("validatePortName", () => {
  it.each([
    { name: "http", value: "http", want: [] },
    { name: "with digits", value: "web-8080", want: [] },
    { name: "too long", value: "a".repeat(16), want: ["must be no more than 15 characters"] },
    { name: "no letter", value: "8080", want: ["must contain at least one letter (a-z)"] },
    { name: "upper case", value: "HTTP", want: ["must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)", "must contain at least one letter (a-z)"] },
    { name: "double dash", value: "a--b", want: ["must not contain consecutive hyphens"] },
    { name: "edge dash", value: "-a", want: ["must not begin or end with a hyphen"] },
  ])("$name", ({ value, want }) => {
    expect(validatePortName(value)).toEqual(want);
  });
});

describe("small rules", () => {
  it.each([
    { name: "port 1", check: () => validatePortNumber(1), valid: true },
    { name: "port 65535", check: () => validatePortNumber(65535), valid: true },
    { name: "port 0", check: () => validatePortNumber(0), valid: false },
    { name: "port 65536", check: () => validatePortNumber(65536), valid: false },
    { name: "C identifier", check: () => validateCIdentifier("MY_VAR1"), valid: true },
    { name: "C identifier with a dash", check: () => validateCIdentifier("my-var"), valid: false },
    { name: "C identifier starting with a digit", check: () => validateCIdentifier("1VAR"), valid: false },
    { name: "env name with dots", check: () => validateEnvVarName("my.env-name"), valid: true },
    { name: "env name with '='", check: () => validateEnvVarName("A=B"), valid: false },
    { name: "empty env name", check: () => validateEnvVarName(""), valid: false },
  ])("$name", ({ check, valid }) => {
    expect(check().length === 0).toBe(valid);
  });

  it("states the port range rule", () => {
    expect(validatePortNumber(0)).toEqual(["must be between 1 and 65535, inclusive"]);
  });
});
