import { describe, expect, it } from "vitest";
import { isCapstanError, type InvalidError } from "@capstan/apimachinery";
import { decodeManifest } from "../../manifest.js";
import { validateObject } from "../../validation.js";
import { formatTable, printerColumns, printerRow } from "../../printing/table.js";
import { StatefulSet } from "../../gen/capstan/v1/apps.js";
import { defaultStatefulSet, statefulSetStrategy } from "./strategy.js";
import { statefulSetPrinter } from "./printer.js";

/** ../shared/examples/statefulset.yaml's StatefulSet. */
const web = () => ({
  apiVersion: "apps/v1",
  kind: "StatefulSet",
  metadata: { name: "web", namespace: "default" },
  spec: {
    serviceName: "nginx",
    replicas: 2,
    selector: { matchLabels: { app: "nginx" } },
    template: {
      metadata: { labels: { app: "nginx" } },
      spec: { containers: [{ name: "nginx", image: "nginx:latest", ports: [{ containerPort: 80, name: "web" }], volumeMounts: [{ name: "www", mountPath: "/usr/share/nginx/html" }] }] },
    },
    volumeClaimTemplates: [{ metadata: { name: "www" }, spec: { accessModes: ["ReadWriteOnce"], resources: { requests: { storage: "1Gi" } } } }],
  } as Record<string, unknown>,
});
const paths = (o: unknown) => validateObject("StatefulSet", decodeManifest(o).json).map((e) => `${e.path}: ${e.message}`);

describe("StatefulSet", () => {
  it("accepts the example and defaults it as Kubernetes", () => {
    expect(paths(web())).toEqual([]);
    const spec = defaultStatefulSet(StatefulSet.fromJSON(decodeManifest(web()).json)).spec!;
    expect(spec).toMatchObject({
      podManagementPolicy: "OrderedReady",
      updateStrategy: { type: "RollingUpdate", rollingUpdate: { partition: 0 } },
      persistentVolumeClaimRetentionPolicy: { whenDeleted: "Retain", whenScaled: "Retain" },
      revisionHistoryLimit: 10,
    });
  });

  it.each([
    { name: "a selector that does not match the template", spec: { selector: { matchLabels: { app: "other" } } }, error: "spec.template.metadata.labels: Invalid value {\"app\":\"nginx\"}: `selector` does not match template `labels`" },
    { name: "an unknown pod management policy", spec: { podManagementPolicy: "Random" }, error: 'spec.podManagementPolicy: Unsupported value "Random": supported values: "OrderedReady", "Parallel"' },
    { name: "an unknown update strategy", spec: { updateStrategy: { type: "Recreate" } }, error: 'spec.updateStrategy.type: Unsupported value "Recreate": supported values: "RollingUpdate", "OnDelete"' },
    { name: "rollingUpdate with OnDelete", spec: { updateStrategy: { type: "OnDelete", rollingUpdate: { partition: 1 } } }, error: "spec.updateStrategy.rollingUpdate: Forbidden: only allowed for updateStrategy 'RollingUpdate'" },
    { name: "a negative partition", spec: { updateStrategy: { type: "RollingUpdate", rollingUpdate: { partition: -1 } } }, error: "spec.updateStrategy.rollingUpdate.partition: Invalid value -1: must be greater than or equal to 0" },
    { name: "a zero maxUnavailable", spec: { updateStrategy: { type: "RollingUpdate", rollingUpdate: { maxUnavailable: 0 } } }, error: "spec.updateStrategy.rollingUpdate.maxUnavailable: Invalid value 0: must be greater than 0" },
    { name: "an unknown retention policy", spec: { persistentVolumeClaimRetentionPolicy: { whenScaled: "Keep" } }, error: 'spec.persistentVolumeClaimRetentionPolicy.whenScaled: Unsupported value "Keep": supported values: "Retain", "Delete"' },
  ])("rejects $name", ({ spec, error }) => {
    const o = web();
    Object.assign(o.spec, spec);
    expect(paths(o)).toEqual([error]);
  });

  it("allows updates to replicas and the template only, as ValidateStatefulSetUpdate", () => {
    const key = { kind: "StatefulSet", namespace: "default", name: "web" };
    const before = web();
    const scaled = web();
    scaled.spec["replicas"] = 5;
    expect(statefulSetStrategy.validateUpdate?.(key, scaled, before)).toBeUndefined();
    const renamed = web();
    renamed.spec["serviceName"] = "other";
    const err = statefulSetStrategy.validateUpdate?.(key, renamed, before);
    expect(isCapstanError(err, "Invalid") && (err as InvalidError).fieldErrors[0]?.path).toBe("spec");
  });

  it("prints NAME READY AGE, and the containers wide", () => {
    const created = "2026-01-01T00:00:00.000Z";
    const o = { ...web(), metadata: { name: "web", creationTimestamp: created }, status: { replicas: 2, readyReplicas: 1 } };
    const opts = { wide: false, withNamespace: false, now: Date.parse(created) + 65_000 };
    expect(formatTable(printerColumns(statefulSetPrinter, opts), [printerRow(statefulSetPrinter, o, opts)])).toBe(["NAME   READY   AGE", "web    1/2     65s"].join("\n"));
    expect(printerRow(statefulSetPrinter, o, { ...opts, wide: true }).slice(-2)).toEqual(["nginx", "nginx:latest"]);
  });
});
