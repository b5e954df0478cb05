import { describe, expect, it } from "vitest";
import { parsePairs, parseResourceArgs, parseSingleResource, splitResourcesAndPairs } from "./resource-args.js";

describe("parseResourceArgs", () => {
  it.each([
    { name: "type and name", args: ["deployment", "web"], want: { refs: [{ kind: "Deployment", name: "web" }] } },
    { name: "short type, several names", args: ["deploy", "web", "api"], want: { refs: [{ kind: "Deployment", name: "web" }, { kind: "Deployment", name: "api" }] } },
    { name: "type/name", args: ["deployment/web"], want: { refs: [{ kind: "Deployment", name: "web" }] } },
    { name: "mixed type/name", args: ["rs/web-1", "rc/old"], want: { refs: [{ kind: "ReplicaSet", name: "web-1" }, { kind: "ReplicationController", name: "old" }] } },
    { name: "type alone", args: ["pods"], want: { refs: [], kindOnly: "Pod" } },
  ])("$name", ({ args, want }) => {
    expect(parseResourceArgs(args)).toEqual(want);
  });

  it.each([
    { name: "nothing", args: [], error: "you must specify the type of resource and its name" },
    { name: "type then type/name", args: ["deployment", "deployment/web"], error: "there is no need to specify a resource type as a separate argument" },
    { name: "empty name", args: ["deployment/"], error: 'arguments in resource/name form must have a single resource and name: "deployment/"' },
    { name: "two slashes", args: ["deployment/web/x"], error: "must have a single resource and name" },
    { name: "unknown type", args: ["gadgets/web"], error: 'Unsupported value "gadgets"' },
  ])("refuses $name", ({ args, error }) => {
    expect(() => parseResourceArgs(args)).toThrow(error);
  });

  it("parseSingleResource wants exactly one name", () => {
    expect(parseSingleResource(["deployment/web"], "deployment/web")).toEqual({ kind: "Deployment", name: "web" });
    expect(() => parseSingleResource(["deployment"], "deployment/web")).toThrow("a resource name is required, e.g. deployment/web");
    expect(() => parseSingleResource(["deployment", "a", "b"], "deployment/web")).toThrow("only one resource may be given");
  });
});

describe("splitResourcesAndPairs", () => {
  it.each([
    { name: "type name pairs", args: ["pods", "web", "app=x", "tier-"], want: { resources: ["pods", "web"], pairs: ["app=x", "tier-"] } },
    { name: "type/name", args: ["pod/web", "a=b=c"], want: { resources: ["pod/web"], pairs: ["a=b=c"] } },
    { name: "a lone dash and =x are resources", args: ["-", "=x"], want: { resources: ["-", "=x"], pairs: [] } },
    { name: "no pairs", args: ["pods", "web"], want: { resources: ["pods", "web"], pairs: [] } },
  ])("$name", ({ args, want }) => {
    expect(splitResourcesAndPairs(args, "label")).toEqual(want);
  });

  it("wants every resource before the pairs", () => {
    expect(() => splitResourcesAndPairs(["pods", "web", "app=x", "api"], "label")).toThrow("all resources must be specified before label changes: api");
  });
});

describe("parsePairs", () => {
  it("sets on the first '=' and removes with a trailing '-'", () => {
    const { set, remove } = parsePairs(["app=x", "cmd=a=b", "empty=", "tier-"], "label", true);
    expect([...set]).toEqual([["app", "x"], ["cmd", "a=b"], ["empty", ""]]);
    expect(remove).toEqual(["tier"]);
  });

  it("refuses every malformed pair at once", () => {
    expect(() => parsePairs(["app", "=x", "ok=1", "tier-"], "image", false)).toThrow("invalid image format: app, =x, tier-");
  });
});
