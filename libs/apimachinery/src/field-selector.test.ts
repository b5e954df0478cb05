import { describe, expect, it } from "vitest";
import { InvalidError } from "./errors.js";
import { parseFieldSelector } from "./field-selector.js";

const podFields = ["metadata.name", "metadata.namespace", "spec.nodeName", "status.phase"];
const pod: Record<string, string> = {
  "metadata.name": "web-1",
  "metadata.namespace": "default",
  "spec.nodeName": "n1",
  "status.phase": "Running",
};
const get = (f: string): string | undefined => pod[f];

describe("parseFieldSelector", () => {
  it.each([
    { name: "empty selects everything", selector: "", want: true, terms: [] },
    { name: "equals", selector: "spec.nodeName=n1", want: true, terms: [{ field: "spec.nodeName", op: "=", value: "n1" }] },
    { name: "double equals", selector: "spec.nodeName==n2", want: false, terms: [{ field: "spec.nodeName", op: "=", value: "n2" }] },
    {
      name: "two terms, sorted",
      selector: "spec.nodeName=n1,metadata.namespace!=x",
      want: true,
      terms: [
        { field: "metadata.namespace", op: "!=", value: "x" },
        { field: "spec.nodeName", op: "=", value: "n1" },
      ],
    },
    { name: "not equals fails", selector: "status.phase!=Running", want: false, terms: [{ field: "status.phase", op: "!=", value: "Running" }] },
    { name: "empty value", selector: "spec.nodeName=", want: false, terms: [{ field: "spec.nodeName", op: "=", value: "" }] },
    { name: "escaped separators", selector: "metadata.name=a\\,b\\=c", want: false, terms: [{ field: "metadata.name", op: "=", value: "a,b=c" }] },
  ])("$name: $selector", ({ selector, want, terms }) => {
    const s = parseFieldSelector(selector, podFields);
    expect(s.requirements).toEqual(terms);
    expect(s.matchesFields(get)).toBe(want);
    expect(s.isEmpty()).toBe(terms.length === 0);
  });

  it("a field the object lacks equals nothing", () => {
    const s = parseFieldSelector("spec.nodeName!=n1", podFields);
    expect(s.matchesFields(() => undefined)).toBe(true);
    expect(parseFieldSelector("spec.nodeName=", podFields).matchesFields(() => undefined)).toBe(false);
  });

  it("prints back with escapes", () => {
    expect(parseFieldSelector("metadata.name=a\\,b,status.phase==Running", podFields).toString()).toBe(
      "metadata.name=a\\,b,status.phase=Running",
    );
  });

  it.each([
    {
      name: "unsupported field",
      selector: "spec.hostname=x",
      errors: [
        {
          path: "fieldSelector",
          message:
            'Invalid value "spec.hostname": field label not supported; supported field labels: "metadata.name", "metadata.namespace", "spec.nodeName", "status.phase"',
        },
      ],
    },
    {
      name: "no operator",
      selector: "spec.nodeName",
      errors: [{ path: "fieldSelector", message: "Invalid value \"spec.nodeName\": a field selector term must be 'field=value', 'field==value' or 'field!=value'" }],
    },
    {
      name: "bad escape",
      selector: "metadata.name=a\\b",
      errors: [{ path: "fieldSelector", message: expect.stringContaining("invalid escape sequence") }],
    },
    {
      name: "every bad term",
      selector: "foo=1,bar=2",
      errors: [
        { path: "fieldSelector", message: expect.stringMatching(/^Invalid value "foo": field label not supported/) },
        { path: "fieldSelector", message: expect.stringMatching(/^Invalid value "bar": field label not supported/) },
      ],
    },
  ])("rejects $name", ({ selector, errors }) => {
    let thrown: unknown;
    try {
      parseFieldSelector(selector, podFields);
    } catch (e) {
      thrown = e;
    }
    expect(thrown).toBeInstanceOf(InvalidError);
    expect((thrown as InvalidError).subject).toBe(`field selector ${JSON.stringify(selector)}`);
    expect((thrown as InvalidError).fieldErrors).toEqual(errors);
  });
});
