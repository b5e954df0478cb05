import { describe, expect, it } from "vitest";
import { InvalidError, isCapstanError } from "./errors.js";
import {
  everythingSelector,
  nothingSelector,
  parseSelector,
  selectorFromLabelSelector,
  selectorFromSet,
  validateLabelSelector,
  type LabelSelector,
} from "./selector.js";

const web = { app: "web", tier: "frontend", env: "prod" };
const db = { app: "db", tier: "backend" };
const bare = {};

describe("parseSelector matches", () => {
  it.each([
    { name: "empty selects everything", selector: "", web: true, db: true, bare: true },
    { name: "equals", selector: "app=web", web: true, db: false, bare: false },
    { name: "double equals", selector: "app==web", web: true, db: false, bare: false },
    { name: "not equals selects the unlabelled too", selector: "app!=web", web: false, db: true, bare: true },
    { name: "in", selector: "app in (web,db)", web: true, db: true, bare: false },
    { name: "notin", selector: "env notin (prod)", web: false, db: true, bare: true },
    { name: "exists", selector: "env", web: true, db: false, bare: false },
    { name: "does not exist", selector: "!env", web: false, db: true, bare: true },
    { name: "conjunction", selector: "app=web,tier!=backend,env in (prod,staging)", web: true, db: false, bare: false },
    { name: "all forms together", selector: "a=b,c!=d,e in (x,y),f notin (z),g,!h", web: false, db: false, bare: false },
    { name: "spaces around tokens", selector: " app = web , tier in ( frontend ) ", web: true, db: false, bare: false },
    { name: "empty value", selector: "env=", web: false, db: false, bare: false },
    { name: "empty value in a set", selector: "env in (prod,)", web: true, db: false, bare: false },
    { name: "in as a value", selector: "app in (in,notin)", web: false, db: false, bare: false },
    { name: "prefixed key", selector: "example.com/app", web: false, db: false, bare: false },
  ])("$name: $selector", ({ selector, web: w, db: d, bare: b }) => {
    const s = parseSelector(selector);
    expect(s.matches(web)).toBe(w);
    expect(s.matches(db)).toBe(d);
    expect(s.matches(bare)).toBe(b);
    expect(s.matches(undefined)).toBe(b);
  });

  it.each([
    { name: "greater than", selector: "replicas>2", labels: { replicas: "3" }, want: true },
    { name: "greater than, equal", selector: "replicas>3", labels: { replicas: "3" }, want: false },
    { name: "less than", selector: "replicas<3", labels: { replicas: "2" }, want: true },
    { name: "not a number", selector: "replicas<3", labels: { replicas: "two" }, want: false },
  ])("$name: $selector", ({ selector, labels, want }) => {
    expect(parseSelector(selector).matches(labels)).toBe(want);
  });
});

describe("parseSelector shape", () => {
  it.each([
    { name: "sorted by key, canonical spelling", selector: "tier!=db, app==web,!canary", want: "app=web,!canary,tier!=db" },
    { name: "values sorted and deduplicated", selector: "env in (b,a,b)", want: "env in (a,b)" },
    { name: "exists", selector: "env", want: "env" },
  ])("$name", ({ selector, want }) => {
    const s = parseSelector(selector);
    expect(s.toString()).toBe(want);
    expect(parseSelector(s.toString()).toString()).toBe(want);
  });

  it("an empty selector is empty", () => {
    expect(parseSelector("").isEmpty()).toBe(true);
    expect(parseSelector("a=b").isEmpty()).toBe(false);
  });
});

describe("parseSelector errors", () => {
  it.each([
    { name: "dangling comma", selector: "a=b,", message: "found '', expected: identifier after ','" },
    { name: "double comma", selector: "a=b,,c", message: "found ',', expected: identifier after ','" },
    { name: "missing key", selector: "=b", message: "found '=', expected: !, identifier, or 'end of string'" },
    { name: "bad operator", selector: "a in b", message: "found 'b', expected: '('" },
    { name: "unknown operator word", selector: "a within (b)", message: "found 'within', expected: in, notin, =, ==, !=, gt, lt" },
    { name: "unclosed set", selector: "a in (b", message: "found '', expected: ',', ')' or identifier" },
    { name: "two values", selector: "a in (b c)", message: "found 'c', expected: ',' or ')'" },
    { name: "junk after a requirement", selector: "a=b c", message: "found 'c', expected: ',' or 'end of string'" },
    { name: "bang without a key", selector: "!", message: "found '', expected: identifier" },
  ])("$name: $selector", ({ selector, message }) => {
    let thrown: unknown;
    try {
      parseSelector(selector);
    } catch (e) {
      thrown = e;
    }
    expect(isCapstanError(thrown, "Invalid")).toBe(true);
    const err = thrown as InvalidError;
    expect(err.subject).toBe(`label selector ${JSON.stringify(selector)}`);
    expect(err.fieldErrors).toEqual([
      { path: "labelSelector", message: `Invalid value ${JSON.stringify(selector)}: unable to parse requirement: ${message}` },
    ]);
  });

  it.each([
    { name: "invalid key", selector: "-app=web", path: "labelSelector", match: /^Invalid value "-app": name part must consist/ },
    { name: "invalid value", selector: "app=-web", path: "labelSelector", match: /^Invalid value "-web": a valid label must be/ },
    { name: "non-integer bound", selector: "a>b", path: "labelSelector", match: /^Invalid value "b": for 'Gt', 'Lt' operators, the value must be an integer$/ },
  ])("$name: $selector", ({ selector, path, match }) => {
    expect(() => parseSelector(selector)).toThrow(InvalidError);
    try {
      parseSelector(selector);
    } catch (e) {
      const err = e as InvalidError;
      expect(err.fieldErrors).toHaveLength(1);
      expect(err.fieldErrors[0]?.path).toBe(path);
      expect(err.fieldErrors[0]?.message).toMatch(match);
    }
  });
});

describe("selectorFromLabelSelector", () => {
  it.each<{ name: string; selector: LabelSelector | undefined; web: boolean; db: boolean; bare: boolean }>([
    { name: "absent selects nothing", selector: undefined, web: false, db: false, bare: false },
    { name: "empty selects everything", selector: {}, web: true, db: true, bare: true },
    { name: "matchLabels", selector: { matchLabels: { app: "web" } }, web: true, db: false, bare: false },
    {
      name: "In",
      selector: { matchExpressions: [{ key: "tier", operator: "In", values: ["frontend", "backend"] }] },
      web: true,
      db: true,
      bare: false,
    },
    {
      name: "NotIn",
      selector: { matchExpressions: [{ key: "tier", operator: "NotIn", values: ["backend"] }] },
      web: true,
      db: false,
      bare: true,
    },
    { name: "Exists", selector: { matchExpressions: [{ key: "env", operator: "Exists" }] }, web: true, db: false, bare: false },
    {
      name: "DoesNotExist",
      selector: { matchExpressions: [{ key: "env", operator: "DoesNotExist", values: [] }] },
      web: false,
      db: true,
      bare: true,
    },
    {
      name: "labels and expressions together",
      selector: { matchLabels: { app: "db" }, matchExpressions: [{ key: "env", operator: "DoesNotExist" }] },
      web: false,
      db: true,
      bare: false,
    },
  ])("$name", ({ selector, web: w, db: d, bare: b }) => {
    const s = selectorFromLabelSelector(selector);
    expect(s.matches(web)).toBe(w);
    expect(s.matches(db)).toBe(d);
    expect(s.matches(bare)).toBe(b);
  });

  it("is the same selector as its string form", () => {
    const s = selectorFromLabelSelector({
      matchLabels: { app: "web" },
      matchExpressions: [{ key: "env", operator: "In", values: ["prod", "dev"] }],
    });
    expect(s.toString()).toBe("app=web,env in (dev,prod)");
  });

  it.each<{ name: string; selector: LabelSelector; want: { path: string; message: string | RegExp }[] }>([
    {
      name: "unknown operator",
      selector: { matchExpressions: [{ key: "a", operator: "Equals", values: ["b"] }] },
      want: [{ path: "spec.selector.matchExpressions[0].operator", message: 'Invalid value "Equals": not a valid selector operator' }],
    },
    {
      name: "In without values",
      selector: { matchExpressions: [{ key: "a", operator: "In" }] },
      want: [{ path: "spec.selector.matchExpressions[0].values", message: "Required value: must be specified when `operator` is 'In' or 'NotIn'" }],
    },
    {
      name: "Exists with values",
      selector: { matchExpressions: [{ key: "a", operator: "Exists", values: ["b"] }] },
      want: [
        { path: "spec.selector.matchExpressions[0].values", message: "Forbidden: may not be specified when `operator` is 'Exists' or 'DoesNotExist'" },
      ],
    },
    {
      name: "every error at once",
      selector: { matchLabels: { "bad key": "v" }, matchExpressions: [{ key: "a", operator: "In", values: ["-x"] }] },
      want: [
        { path: "spec.selector.matchLabels", message: /^Invalid value "bad key": name part/ },
        { path: "spec.selector.matchExpressions[0].values[0]", message: /^Invalid value "-x": a valid label/ },
      ],
    },
  ])("rejects $name", ({ selector, want }) => {
    const errs = validateLabelSelector(selector, "spec.selector");
    expect(errs).toHaveLength(want.length);
    want.forEach((w, i) => {
      expect(errs[i]?.path).toBe(w.path);
      if (typeof w.message === "string") expect(errs[i]?.message).toBe(w.message);
      else expect(errs[i]?.message).toMatch(w.message);
    });
    expect(() => selectorFromLabelSelector(selector, "spec.selector")).toThrow(InvalidError);
  });
});

describe("fixed selectors", () => {
  it.each([
    { name: "everything", selector: everythingSelector(), labels: { a: "b" }, want: true, empty: true },
    { name: "nothing", selector: nothingSelector(), labels: { a: "b" }, want: false, empty: false },
    { name: "from a set", selector: selectorFromSet({ a: "b", c: "d" }), labels: { a: "b", c: "d", e: "f" }, want: true, empty: false },
    { name: "from a set, one differs", selector: selectorFromSet({ a: "b", c: "d" }), labels: { a: "b", c: "x" }, want: false, empty: false },
    { name: "from an empty set", selector: selectorFromSet({}), labels: {}, want: true, empty: true },
  ])("$name", ({ selector, labels, want, empty }) => {
    expect(selector.matches(labels)).toBe(want);
    expect(selector.isEmpty()).toBe(empty);
  });
});
