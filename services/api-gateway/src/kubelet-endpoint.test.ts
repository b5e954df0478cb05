import { describe, expect, it } from "vitest";
import type { JsonObject, ObjectRecord } from "@capstan/apimachinery";
import { kubeletEndpoint } from "./kubelet-endpoint.js";

const record = (kind: string, name: string, nodeName: string, object: JsonObject): ObjectRecord => ({ kind, namespace: kind === "Pod" ? "default" : "", name, uid: "u", nodeName, revision: 1, object });
const nodes = (status: JsonObject) => ({ record: async () => record("Node", "node-1", "", { status }) });
const pod = (nodeName: string) => record("Pod", "web", nodeName, {});

describe("kubeletEndpoint", () => {
  it("is the node's InternalIP and kubelet port", async () => {
    const service = nodes({ addresses: [{ type: "Hostname", address: "h" }, { type: "InternalIP", address: "127.9.0.1" }], daemonEndpoints: { kubeletEndpoint: { port: 10250 } } });
    expect(await kubeletEndpoint(service, pod("node-1"), "exec")).toEqual({ url: "http://127.9.0.1:10250", nodeName: "node-1" });
  });

  it.each([
    { name: "a pod not scheduled yet", nodeName: "", status: {}, error: 'Pod "default/web (not scheduled yet, no exec)" not found' },
    { name: "a node without an endpoint", nodeName: "node-1", status: { addresses: [{ type: "InternalIP", address: "127.9.0.1" }] }, error: "node node-1 publishes no exec endpoint" },
    {
      name: "a simulated node",
      nodeName: "node-1",
      status: { addresses: [{ type: "InternalIP", address: "127.9.0.1" }], daemonEndpoints: { kubeletEndpoint: { port: 0 } }, nodeInfo: { containerRuntimeVersion: "simulated://capstan" } },
      error: "exec is not supported by the simulated runtime (pod web runs on simulated node node-1)",
    },
  ])("refuses $name", async ({ nodeName, status, error }) => {
    await expect(kubeletEndpoint(nodes(status), pod(nodeName), "exec")).rejects.toThrow(error);
  });
});
