import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { readStaticPods, staticPodsFrom } from "./static-pod-source.js";

const web = ["apiVersion: v1", "kind: Pod", "metadata:", "  name: web", "spec:", "  containers:", "  - name: web", "    image: nginx", ""].join("\n");

describe("staticPodsFrom", () => {
  it("names the pod <name>-<node>, binds it here, and makes the hash its uid and config annotations", () => {
    const [pod] = staticPodsFrom(web, "/m/web.yaml", "node-1");
    expect(pod).toMatchObject({ name: "web-node-1", namespace: "default", file: "/m/web.yaml" });
    expect(pod!.uid).toMatch(/^[0-9a-f]{32}$/);
    expect(pod!.pod.metadata?.uid).toBe(pod!.uid);
    expect(pod!.pod.spec?.nodeName).toBe("node-1");
    expect(pod!.pod.metadata?.annotations).toEqual({ "kubernetes.io/config.hash": pod!.uid, "kubernetes.io/config.source": "file" });
    // Defaulted as the API would: the runtime reads a complete spec.
    expect(pod!.pod.spec?.restartPolicy).toBe("Always");
  });

  it.each([
    { name: "the same manifest on the same node: the same uid", other: web, node: "node-1", same: true },
    { name: "another node: another uid", other: web, node: "node-2", same: false },
    { name: "a changed manifest: another uid", other: web.replace("image: nginx", "image: busybox"), node: "node-1", same: false },
  ])("$name", ({ other, node, same }) => {
    const a = staticPodsFrom(web, "a", "node-1")[0]!.uid;
    const b = staticPodsFrom(other, "b", node)[0]!.uid;
    expect(a === b).toBe(same);
  });

  it("reads every Pod of a multi-document file, in the namespace it names", () => {
    const pods = staticPodsFrom(`${web}---\n${web.replace("name: web\n", "name: db\n  namespace: kube-system\n")}`, "f", "n1");
    expect(pods.map((p) => `${p.namespace}/${p.name}`)).toEqual(["default/web-n1", "kube-system/db-n1"]);
  });

  it.each([
    { name: "another kind", text: "apiVersion: v1\nkind: ConfigMap\nmetadata: { name: c }\n", error: "a static pod manifest holds Pods only" },
    { name: "an invalid pod", text: "apiVersion: v1\nkind: Pod\nmetadata: { name: web }\nspec: { containers: [] }\n", error: "spec.containers" },
    { name: "an unknown field", text: web.replace("spec:", "spek: 1\nspec:"), error: "spek" },
  ])("refuses $name", ({ text, error }) => {
    expect(() => staticPodsFrom(text, "f", "n1")).toThrow(error);
  });
});

describe("readStaticPods", () => {
  let dir: string | undefined;
  afterEach(() => dir && rmSync(dir, { recursive: true, force: true }));

  it("reads each file, skips hidden ones, and reports a bad file without losing the others", () => {
    dir = mkdtempSync(join(tmpdir(), "static-pods-"));
    writeFileSync(join(dir, "web.yaml"), web);
    writeFileSync(join(dir, ".web.yaml.swp"), "not yaml: [");
    writeFileSync(join(dir, "bad.json"), '{"kind": "Pod"');
    const reports: string[] = [];
    const pods = readStaticPods(dir, "n1", (file) => reports.push(file));
    expect(pods.map((p) => p.name)).toEqual(["web-n1"]);
    expect(reports).toEqual([join(dir, "bad.json")]);
  });
});
