import type { FieldError } from "@capstan/apimachinery";
import { describe, expect, it } from "vitest";
import { applyDefaults } from "../../defaults.js";
import { validateObject, validateStatus } from "../../validation.js";

type Json = Record<string, any>;

function aDaemonSetWith(change: (ds: Json) => void = () => {}): Json {
  const ds: Json = {
    apiVersion: "apps/v1",
    kind: "DaemonSet",
    metadata: { name: "log-shipper", namespace: "default" },
    spec: {
      selector: { matchLabels: { app: "log-shipper" } },
      template: { metadata: { labels: { app: "log-shipper" } }, spec: { containers: [{ name: "shipper", image: "busybox" }] } },
    },
  };
  change(ds);
  return ds;
}

describe("DaemonSet defaults", () => {
  it("fills a RollingUpdate of maxUnavailable 1 and maxSurge 0, and ten revisions, as apps/v1 does", () => {
    const spec = (applyDefaults("DaemonSet", aDaemonSetWith()) as Json)["spec"];
    expect(spec["updateStrategy"]).toEqual({ type: "RollingUpdate", rollingUpdate: { maxUnavailable: 1, maxSurge: 0 } });
    expect(spec["revisionHistoryLimit"]).toBe(10);
    expect(spec["template"]["spec"]["restartPolicy"]).toBe("Always");
  });

  it("leaves OnDelete without a rollingUpdate", () => {
    const spec = (applyDefaults("DaemonSet", aDaemonSetWith((ds) => (ds["spec"]["updateStrategy"] = { type: "OnDelete" }))) as Json)["spec"];
    expect(spec["updateStrategy"]).toEqual({ type: "OnDelete" });
  });
});

describe("validateObject: DaemonSet", () => {
  it.each([
    { name: "the base daemon set", ds: aDaemonSetWith() },
    { name: "OnDelete", ds: aDaemonSetWith((ds) => (ds["spec"]["updateStrategy"] = { type: "OnDelete" })) },
    { name: "a surge instead of unavailability", ds: aDaemonSetWith((ds) => (ds["spec"]["updateStrategy"] = { rollingUpdate: { maxUnavailable: 0, maxSurge: "10%" } })) },
  ])("accepts $name", ({ ds }) => {
    expect(validateObject("DaemonSet", ds)).toEqual([]);
  });

  it.each<{ name: string; ds: Json; errors: FieldError[] }>([
    {
      name: "a selector that does not match the template",
      ds: aDaemonSetWith((ds) => (ds["spec"]["selector"] = { matchLabels: { app: "other" } })),
      errors: [{ path: "spec.template.metadata.labels", message: 'Invalid value {"app":"log-shipper"}: `selector` does not match template `labels`' }],
    },
    {
      name: "an empty selector",
      ds: aDaemonSetWith((ds) => (ds["spec"]["selector"] = {})),
      errors: [{ path: "spec.selector", message: "Invalid value {}: empty selector is invalid for daemonset" }],
    },
    {
      name: "a template that does not always restart",
      ds: aDaemonSetWith((ds) => (ds["spec"]["template"]["spec"]["restartPolicy"] = "Never")),
      errors: [{ path: "spec.template.spec.restartPolicy", message: 'Unsupported value "Never": supported values: "Always"' }],
    },
    {
      name: "both maxUnavailable and maxSurge",
      ds: aDaemonSetWith((ds) => (ds["spec"]["updateStrategy"] = { rollingUpdate: { maxUnavailable: 1, maxSurge: 1 } })),
      errors: [{ path: "spec.updateStrategy.rollingUpdate.maxSurge", message: 'Invalid value 1: may not be set when maxUnavailable is non-zero' }],
    },
    {
      name: "neither maxUnavailable nor maxSurge",
      ds: aDaemonSetWith((ds) => (ds["spec"]["updateStrategy"] = { rollingUpdate: { maxUnavailable: "0%", maxSurge: 0 } })),
      errors: [{ path: "spec.updateStrategy.rollingUpdate.maxUnavailable", message: "Required value: cannot be 0 when maxSurge is 0" }],
    },
    {
      name: "maxUnavailable over 100%",
      ds: aDaemonSetWith((ds) => (ds["spec"]["updateStrategy"] = { rollingUpdate: { maxUnavailable: "150%" } })),
      errors: [{ path: "spec.updateStrategy.rollingUpdate.maxUnavailable", message: 'Invalid value "150%": must not be greater than 100%' }],
    },
    {
      name: "an unknown strategy",
      ds: aDaemonSetWith((ds) => (ds["spec"]["updateStrategy"] = { type: "Recreate" })),
      errors: [{ path: "spec.updateStrategy.type", message: 'Unsupported value "Recreate": supported values: "OnDelete", "RollingUpdate"' }],
    },
    {
      name: "rollingUpdate with OnDelete",
      ds: aDaemonSetWith((ds) => (ds["spec"]["updateStrategy"] = { type: "OnDelete", rollingUpdate: { maxUnavailable: 1 } })),
      errors: [{ path: "spec.updateStrategy.rollingUpdate", message: "Forbidden: may not be specified when strategy `type` is 'OnDelete'" }],
    },
  ])("rejects $name", ({ ds, errors }) => {
    expect(validateObject("DaemonSet", ds)).toEqual(errors);
  });

  it("rejects a negative status count", () => {
    expect(validateStatus("DaemonSet", { ...aDaemonSetWith(), status: { numberReady: -1 } })).toEqual([
      { path: "status.numberReady", message: "Invalid value -1: must be greater than or equal to 0" },
    ]);
  });
});
