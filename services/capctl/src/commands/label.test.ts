import { afterEach, describe, expect, it, vi } from "vitest";
import { parsePairs } from "../resource-args.js";
import { aWebDeployment } from "../testing/builders.js";
import { createFakeGateway } from "@capstan/client/testing";
import { annotate, annotateObject, parseAnnotateArgs } from "./annotate.js";
import { label, labelObject, parseLabelArgs } from "./label.js";

afterEach(() => vi.restoreAllMocks());

type Json = Record<string, any>;
const withLabels = (labels: Record<string, string>): Json => ({ kind: "Pod", metadata: { name: "web", labels } });
const withAnnotations = (annotations: Record<string, string>): Json => ({ kind: "Pod", metadata: { name: "web", annotations } });

describe("parseLabelArgs", () => {
  it("takes resources, then key=value and key-", () => {
    const { resources, changes } = parseLabelArgs(["pods", "web", "app=x", "tier-"]);
    expect(resources).toEqual(["pods", "web"]);
    expect([...changes.set]).toEqual([["app", "x"]]);
    expect(changes.remove).toEqual(["tier"]);
  });

  it.each([
    { name: "no change", args: ["pods", "web"], error: "at least one label update is required" },
    { name: "no resource", args: ["app=x"], error: "one or more resources must be specified" },
    { name: "a bad value", args: ["pods", "web", "app=a b"], error: 'invalid label value: "app=a b"' },
    { name: "a bad key", args: ["pods", "web", "-app=x"], error: 'invalid label key: "-app"' },
    { name: "set and remove", args: ["pods", "web", "app=x", "app-"], error: "can not both modify and remove a label in the same command" },
  ])("refuses $name", ({ args, error }) => {
    expect(() => parseLabelArgs(args)).toThrow(error);
  });
});

describe("labelObject", () => {
  it.each([
    { name: "adds", labels: { app: "web" }, pairs: ["tier=front"], overwrite: false, want: { app: "web", tier: "front" }, outcome: "labeled" },
    { name: "same value needs no --overwrite", labels: { app: "web" }, pairs: ["app=web"], overwrite: false, want: { app: "web" }, outcome: "not labeled" },
    { name: "overwrites", labels: { app: "web" }, pairs: ["app=api"], overwrite: true, want: { app: "api" }, outcome: "labeled" },
    { name: "removes", labels: { app: "web", tier: "front" }, pairs: ["tier-"], overwrite: false, want: { app: "web" }, outcome: "unlabeled" },
    { name: "removes the last", labels: { tier: "front" }, pairs: ["tier-"], overwrite: false, want: undefined, outcome: "unlabeled" },
    { name: "removes a missing key", labels: { app: "web" }, pairs: ["tier-"], overwrite: false, want: { app: "web" }, outcome: "not labeled" },
  ])("$name", ({ labels, pairs, overwrite, want, outcome }) => {
    const pod = withLabels(labels);
    const result = labelObject(pod, parsePairs(pairs, "label", true), overwrite);
    expect(pod["metadata"]["labels"]).toEqual(want);
    expect(result.outcome).toBe(outcome);
  });

  it("refuses to change a value without --overwrite, naming it", () => {
    expect(() => labelObject(withLabels({ app: "web" }), parsePairs(["app=api"], "label", true), false)).toThrow("'app' already has a value (web), and --overwrite is false");
  });
});

describe("annotateObject", () => {
  it("sets and removes annotations", () => {
    const pod = withAnnotations({ a: "1", b: "2" });
    annotateObject(pod, parsePairs(["c=3", "b-"], "annotation", true), false);
    expect(pod["metadata"]["annotations"]).toEqual({ a: "1", c: "3" });
  });

  it("refuses to change values without --overwrite, listing them all", () => {
    expect(() => annotateObject(withAnnotations({ a: "1", b: "2" }), parsePairs(["a=x", "b=y"], "annotation", true), false)).toThrow(
      "--overwrite is false but found the following declared annotation(s): 'a' already has a value (1); 'b' already has a value (2)",
    );
  });

  it("lets the change cause be replaced without --overwrite", () => {
    const pod = withAnnotations({ "kubernetes.io/change-cause": "v1" });
    annotateObject(pod, parsePairs(["kubernetes.io/change-cause=v2"], "annotation", true), false);
    expect(pod["metadata"]["annotations"]).toEqual({ "kubernetes.io/change-cause": "v2" });
  });

  it("parseAnnotateArgs wants a change", () => {
    expect(() => parseAnnotateArgs(["pods", "web"])).toThrow("at least one annotation update is required");
  });
});

describe("label and annotate", () => {
  it("change every object of a type with --all and print kubectl's lines", async () => {
    const log = vi.spyOn(console, "log").mockImplementation(() => undefined);
    const gw = await createFakeGateway();
    await gw.apply({ apiVersion: "v1", kind: "Namespace", metadata: { name: "other" } });
    await gw.apply(aWebDeployment());
    await gw.apply({ ...aWebDeployment(), metadata: { name: "api", namespace: "default" } });
    await gw.apply({ ...aWebDeployment(), metadata: { name: "elsewhere", namespace: "other" } });
    await label(gw, ["deployments", "tier=front"], { namespace: "default", overwrite: false, all: true });
    await annotate(gw, ["deployment/web", "owner=team-a"], { namespace: "default", overwrite: false });
    // In the order the gateway lists them: by name.
    expect(log.mock.calls.map((c) => c[0])).toEqual(["deployment.apps/api labeled", "deployment.apps/web labeled", "deployment.apps/web annotated"]);
    expect((gw.stored("Deployment", "web")!["metadata"] as Json)["labels"]).toEqual({ tier: "front" });
    expect((gw.stored("Deployment", "web")!["metadata"] as Json)["annotations"]).toEqual({ owner: "team-a" });
    expect((gw.stored("Deployment", "elsewhere", "other")!["metadata"] as Json)["labels"]).toBeUndefined();
  });

  it("refuses a type without names unless --all or -l says which", async () => {
    await expect(label(await createFakeGateway(), ["deployments", "tier=front"], { namespace: "default", overwrite: false })).rejects.toThrow("no name was specified");
  });
});
