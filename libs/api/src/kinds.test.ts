import { InvalidError, isCapstanError } from "@capstan/apimachinery";
import { describe, expect, it } from "vitest";
import { Pod } from "./gen/capstan/v1/core.js";
import {
  fromApiObject,
  kindInfo,
  objectKey,
  objectKind,
  objectMeta,
  resolveResourceName,
  selectableFieldValue,
  supportedKinds,
  toApiObject,
  unwrapObject,
  wrapObject,
} from "./kinds.js";

describe("kindInfo", () => {
  it.each([
    { name: "Namespace", apiVersion: "v1", namespaced: false, plural: "namespaces", singular: "namespace", short: ["ns"], field: "namespace", proto: ".capstan.v1.Namespace" },
    { name: "Pod", apiVersion: "v1", namespaced: true, plural: "pods", singular: "pod", short: ["po"], field: "pod", proto: ".capstan.v1.Pod" },
    { name: "Node", apiVersion: "v1", namespaced: false, plural: "nodes", singular: "node", short: ["no"], field: "node", proto: ".capstan.v1.Node" },
    { name: "Event", apiVersion: "v1", namespaced: true, plural: "events", singular: "event", short: ["ev"], field: "event", proto: ".capstan.v1.Event" },
  ])("$name", ({ name, apiVersion, namespaced, plural, singular, short, field, proto }) => {
    const info = kindInfo(name);
    expect(info).toMatchObject({ kind: name, apiVersion, namespaced, plural, singular, shortNames: short, objectField: field, protoTypeName: proto });
    expect(typeof info.messageFns.fromJSON).toBe("function");
  });

  it("lists the kinds in the order they matter", () => {
    expect(supportedKinds().map((k) => k.kind)).toEqual(["Namespace", "Pod", "Node", "Event"]);
  });

  it("rejects an unknown kind with the supported ones", () => {
    expect(() => kindInfo("Foo")).toThrow(InvalidError);
    try {
      kindInfo("Foo");
    } catch (e) {
      expect((e as InvalidError).fieldErrors).toEqual([
        { path: "kind", message: 'Unsupported value "Foo": supported kinds are "Namespace", "Pod", "Node", "Event"' },
      ]);
    }
  });
});

describe("resolveResourceName", () => {
  it.each([
    { name: "plural", input: "pods", want: "Pod" },
    { name: "short name", input: "po", want: "Pod" },
    { name: "kind", input: "Pod", want: "Pod" },
    { name: "singular", input: "pod", want: "Pod" },
    { name: "upper-case plural", input: "PODS", want: "Pod" },
    { name: "nodes short", input: "no", want: "Node" },
    { name: "namespaces short", input: "ns", want: "Namespace" },
    { name: "events short", input: "ev", want: "Event" },
    { name: "namespace plural", input: "namespaces", want: "Namespace" },
  ])("$name: $input", ({ input, want }) => {
    expect(resolveResourceName(input)).toBe(want);
  });

  it("names the supported resource types for an unknown one", () => {
    try {
      resolveResourceName("deployments");
      expect.unreachable();
    } catch (e) {
      expect(isCapstanError(e, "Invalid")).toBe(true);
      expect((e as InvalidError).fieldErrors[0]?.message).toBe(
        'Unsupported value "deployments": supported resource types are "namespaces", "pods", "nodes", "events"',
      );
    }
  });
});

describe("the gateway envelope", () => {
  const podJson = {
    apiVersion: "v1",
    kind: "Pod",
    metadata: { name: "web", namespace: "prod", labels: { app: "web" } },
    spec: { nodeName: "n1", containers: [{ name: "app", image: "nginx" }] },
    status: { phase: "Running" },
  };

  it.each([
    { name: "Pod", json: podJson, field: "pod" },
    { name: "Namespace", json: { apiVersion: "v1", kind: "Namespace", metadata: { name: "prod" } }, field: "namespace" },
    { name: "Node", json: { apiVersion: "v1", kind: "Node", metadata: { name: "n1" }, spec: { unschedulable: true } }, field: "node" },
    {
      name: "Event",
      json: { apiVersion: "v1", kind: "Event", metadata: { name: "e1", namespace: "prod" }, reason: "Scheduled", count: 1 },
      field: "event",
    },
  ])("round-trips a $name", ({ name, json, field }) => {
    const obj = toApiObject(json);
    expect(Object.keys(obj).filter((k) => obj[k as keyof typeof obj] !== undefined)).toEqual([field]);
    expect(objectKind(obj)).toBe(name);
    expect(fromApiObject(obj)).toEqual({ kind: name, json });
  });

  it("fills in apiVersion and kind, first", () => {
    const obj = wrapObject("Pod", Pod.fromPartial({ metadata: { name: "web" } }));
    const { json } = fromApiObject(obj);
    expect(json).toEqual({ apiVersion: "v1", kind: "Pod", metadata: { name: "web" } });
    expect(Object.keys(json).slice(0, 2)).toEqual(["apiVersion", "kind"]);
  });

  it("reads metadata, key and selectable fields", () => {
    const obj = toApiObject(podJson);
    expect(objectMeta(obj).labels).toEqual({ app: "web" });
    expect(objectKey(obj)).toEqual({ kind: "Pod", namespace: "prod", name: "web" });
    expect(selectableFieldValue(obj, "spec.nodeName")).toBe("n1");
    expect(selectableFieldValue(obj, "status.phase")).toBe("Running");
    expect(selectableFieldValue(obj, "status.podIP")).toBe("");
    expect(selectableFieldValue(obj, "spec.hostname")).toBeUndefined();
    expect(selectableFieldValue(toApiObject({ kind: "Node", spec: { unschedulable: true } }), "spec.unschedulable")).toBe("true");
  });

  it("narrows the message by kind", () => {
    const unwrapped = unwrapObject(toApiObject(podJson));
    if (unwrapped.kind !== "Pod") throw new Error("expected a Pod");
    expect(unwrapped.message.spec?.containers[0]?.image).toBe("nginx");
  });

  it.each([
    { name: "empty envelope", obj: {}, message: "Required value: one of namespace, pod, node, event must be set" },
    { name: "two kinds", obj: { pod: Pod.create(), node: undefined, namespace: {} as never }, message: "Forbidden: only one of namespace, pod, node, event may be set" },
  ])("rejects an $name", ({ obj, message }) => {
    try {
      objectKind(obj);
      expect.unreachable();
    } catch (e) {
      expect((e as InvalidError).fieldErrors).toEqual([{ path: "object", message }]);
    }
  });

  it.each([
    { name: "no kind", json: { metadata: { name: "x" } }, message: "Required value" },
    { name: "unknown kind", json: { kind: "Deployment" }, message: expect.stringContaining('Unsupported value "Deployment"') },
  ])("toApiObject rejects $name", ({ json, message }) => {
    try {
      toApiObject(json);
      expect.unreachable();
    } catch (e) {
      expect((e as InvalidError).fieldErrors).toEqual([{ path: "kind", message }]);
    }
  });
});
