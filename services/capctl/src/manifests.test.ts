import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { applyDefaults, validateObject } from "@capstan/api";
import { isManifestError, readDocuments, readManifests } from "./manifests.js";

/** The shared example manifests, as a Kubernetes user writes them; they must apply unchanged. */
const examples = resolve(dirname(fileURLToPath(import.meta.url)), "../../../../shared/examples");

describe("the example manifests of supported kinds", () => {
  it.each([
    { file: "deployment.yaml", kinds: ["Deployment"] },
    { file: "pod.yaml", kinds: ["Pod"] },
    { file: "two-container-pod.yaml", kinds: ["Pod"] },
    { file: "webserver-pod.yaml", kinds: ["Pod"] },
    { file: "shared-volume-pod.yaml", kinds: ["Pod"] },
    { file: "service.yaml", kinds: ["Service"] },
    { file: "statefulset.yaml", kinds: ["Service", "StatefulSet"] },
    { file: "daemonset.yaml", kinds: ["DaemonSet"] },
  ])("$file decodes strictly, defaults and validates", ({ file, kinds }) => {
    const manifests = readManifests([join(examples, file)]);
    expect(manifests.map((m) => m.kind)).toEqual(kinds);
    for (const m of manifests) {
      expect(validateObject(m.kind, m.json)).toEqual([]);
      expect(validateObject(m.kind, applyDefaults(m.kind, m.json))).toEqual([]);
    }
  });

  it("keeps the Deployment's IntOrString fields as written", () => {
    const [deployment] = readManifests([join(examples, "deployment.yaml")]);
    expect(deployment?.json).toMatchObject({ spec: { strategy: { rollingUpdate: { maxUnavailable: "25%", maxSurge: 1 } } } });
    expect(deployment?.apiObject.deployment?.spec?.strategy?.rollingUpdate).toEqual({ maxUnavailable: "25%", maxSurge: "1" });
  });

  it("names the first unsupported kind in a file that mixes kinds (hpa.yaml)", () => {
    expect(() => readManifests([join(examples, "hpa.yaml")])).toThrow(/document 3\).*Unsupported value "HorizontalPodAutoscaler"/);
  });

  it("reads the supported documents of hpa.yaml and reports the unsupported one in its place", () => {
    const documents = readDocuments([join(examples, "hpa.yaml")]);
    expect(documents.map((d) => (isManifestError(d) ? "error" : d.kind))).toEqual(["Namespace", "Deployment", "error"]);
    const [error] = documents.filter(isManifestError);
    expect(error?.error).toMatch(/^error validating .*hpa\.yaml \(document 3\): .*kind.*Unsupported value "HorizontalPodAutoscaler"/);
    expect(error?.error).not.toContain("\n");
  });
});
