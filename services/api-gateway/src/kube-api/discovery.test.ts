import { describe, expect, it } from "vitest";
import { aggregatedDiscovery, apiGroupList, apiResourceList } from "./discovery.js";

type Json = Record<string, any>;

describe("discovery", () => {
  it("lists a group version's resources, then each subresource as its own entry", () => {
    const apps = apiResourceList("apps/v1") as Json;
    const names = (apps["resources"] as Json[]).map((r) => r["name"]);
    expect(names).toEqual(expect.arrayContaining(["deployments", "deployments/status", "deployments/scale", "daemonsets", "controllerrevisions"]));
    expect(names).not.toContain("daemonsets/scale");
    expect((apps["resources"] as Json[]).find((r) => r["name"] === "deployments")).toEqual({
      name: "deployments",
      singularName: "deployment",
      namespaced: true,
      kind: "Deployment",
      verbs: ["create", "delete", "deletecollection", "get", "list", "patch", "update", "watch"],
      shortNames: ["deploy"],
      categories: ["all"],
    });
    // Not in `kubectl get all`, as in Kubernetes.
    expect((apps["resources"] as Json[]).find((r) => r["name"] === "controllerrevisions")).not.toHaveProperty("categories");
    expect(apiResourceList("apps/v1beta1")).toBeUndefined();
  });

  it("names every group once, with its preferred version", () => {
    const groups = (apiGroupList()["groups"] as Json[]).map((g) => [g["name"], g["preferredVersion"].groupVersion]);
    expect(groups).toEqual(expect.arrayContaining([["apps", "apps/v1"], ["batch", "batch/v1"], ["discovery.k8s.io", "discovery.k8s.io/v1"]]));
    expect(groups.map(([name]) => name)).not.toContain("");
  });

  it("aggregates the core group alone under /api and the named groups under /apis", () => {
    const core = aggregatedDiscovery(true) as Json;
    expect(core["items"].map((g: Json) => g["metadata"].name)).toEqual([""]);
    const nodes = (core["items"][0].versions[0].resources as Json[]).find((r) => r["resource"] === "nodes");
    expect(nodes).toMatchObject({ scope: "Cluster", responseKind: { group: "", version: "v1", kind: "Node" }, subresources: [{ subresource: "status", verbs: ["get", "patch", "update"] }] });
    const named = aggregatedDiscovery(false) as Json;
    const scale = (named["items"] as Json[])
      .find((g) => g["metadata"].name === "apps")!
      ["versions"][0].resources.find((r: Json) => r["resource"] === "statefulsets")
      .subresources.find((s: Json) => s["subresource"] === "scale");
    expect(scale).toEqual({ subresource: "scale", responseKind: { group: "autoscaling", version: "v1", kind: "Scale" }, verbs: ["get", "patch", "update"] });
  });
});
