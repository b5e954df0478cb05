import { describe, expect, it } from "vitest";
import { parseResourcePath } from "./resource-path.js";
import { KubeApiError } from "./status.js";

describe("parseResourcePath", () => {
  it.each([
    { name: "core collection across namespaces", path: "/api/v1/pods", kind: "Pod", namespace: "", object: "", sub: undefined },
    { name: "core collection in a namespace", path: "/api/v1/namespaces/shop/pods", kind: "Pod", namespace: "shop", object: "", sub: undefined },
    { name: "one pod", path: "/api/v1/namespaces/shop/pods/web", kind: "Pod", namespace: "shop", object: "web", sub: undefined },
    { name: "a pod's log", path: "/api/v1/namespaces/shop/pods/web/log", kind: "Pod", namespace: "shop", object: "web", sub: "log" },
    { name: "a namespace", path: "/api/v1/namespaces/shop", kind: "Namespace", namespace: "", object: "shop", sub: undefined },
    { name: "a namespace's status", path: "/api/v1/namespaces/shop/status", kind: "Namespace", namespace: "", object: "shop", sub: "status" },
    { name: "a namespace's finalize", path: "/api/v1/namespaces/shop/finalize", kind: "Namespace", namespace: "", object: "shop", sub: "finalize" },
    { name: "a cluster-scoped kind", path: "/api/v1/nodes/node-1", kind: "Node", namespace: "", object: "node-1", sub: undefined },
    { name: "a named group in a namespace", path: "/apis/apps/v1/namespaces/shop/deployments/web/scale", kind: "Deployment", namespace: "shop", object: "web", sub: "scale" },
    { name: "a named group across namespaces", path: "/apis/batch/v1/jobs", kind: "Job", namespace: "", object: "", sub: undefined },
    { name: "a dotted group", path: "/apis/discovery.k8s.io/v1/namespaces/shop/endpointslices", kind: "EndpointSlice", namespace: "shop", object: "", sub: undefined },
    { name: "an escaped name", path: "/api/v1/namespaces/shop/configmaps/a%2Eb", kind: "ConfigMap", namespace: "shop", object: "a.b", sub: undefined },
  ])("$name", ({ path, kind, namespace, object, sub }) => {
    const p = parseResourcePath(path);
    expect({ kind: p.info.kind, namespace: p.namespace, name: p.name, subresource: p.subresource }).toEqual({ kind, namespace, name: object, subresource: sub });
  });

  it.each([
    { name: "a kind in another group", path: "/api/v1/deployments" },
    { name: "a version not served", path: "/apis/apps/v1beta1/deployments" },
    { name: "an unknown resource", path: "/api/v1/widgets" },
    { name: "a subresource the kind lacks", path: "/api/v1/namespaces/shop/configmaps/a/scale" },
    { name: "a cluster-scoped kind in a namespace", path: "/api/v1/namespaces/shop/nodes/n" },
    { name: "segments past the subresource", path: "/api/v1/namespaces/shop/pods/web/log/more" },
    { name: "outside /api and /apis", path: "/metrics" },
  ])("answers 404 for $name", ({ path }) => {
    expect(() => parseResourcePath(path)).toThrow(KubeApiError);
    expect(() => parseResourcePath(path)).toThrow("the server could not find the requested resource");
  });
});
