import { describe, expect, it } from "vitest";
import { protoMetadata as gatewayProto } from "../gen/capstan/v1/gateway.js";
import { supportedKinds } from "../kinds.js";
import { kindStrategies, strategyByKind } from "./registry.js";

/** The fields of the gateway's `Object` envelope, as proto/capstan/v1/gateway.proto declares them. */
const envelopeFields = (gatewayProto.fileDescriptor.messageType.find((m) => m.name === "Object")?.field ?? []).map((f) => ({
  objectField: f.jsonName,
  protoTypeName: f.typeName,
}));

describe("kind registry", () => {
  it("registers each strategy once, under its own kind", () => {
    expect(new Set(kindStrategies).size).toBe(kindStrategies.length);
    expect(new Set(kindStrategies.map((s) => s.kind)).size).toBe(kindStrategies.length);
    for (const s of kindStrategies) expect(strategyByKind[s.kind]).toBe(s);
    expect(supportedKinds()).toEqual(kindStrategies);
  });

  it("gives every name a user may type to one kind only", () => {
    const kindOf = new Map<string, string>();
    for (const s of kindStrategies) {
      for (const name of new Set([s.kind.toLowerCase(), s.plural, s.singular, ...s.shortNames])) {
        expect(kindOf.get(name), `${name} names ${kindOf.get(name)} and ${s.kind}`).toBeUndefined();
        kindOf.set(name, s.kind);
      }
    }
  });

  it("has a strategy for every kind of the gateway's Object envelope, and no other", () => {
    expect(envelopeFields.length).toBeGreaterThan(0);
    const registered = kindStrategies.map((s) => ({ objectField: s.objectField, protoTypeName: s.protoTypeName }));
    expect(registered).toEqual(expect.arrayContaining(envelopeFields));
    expect(registered).toHaveLength(envelopeFields.length);
  });

  it.each(kindStrategies.map((s) => ({ kind: s.kind, strategy: s })))("$kind: identity agrees with itself", ({ kind, strategy }) => {
    expect(strategy.protoTypeName).toBe(`.capstan.v1.${kind}`);
    expect(strategy.group).toBe(strategy.apiVersion.includes("/") ? strategy.apiVersion.split("/")[0] : "");
    expect(strategy.selectableFields).toContain("metadata.name");
    expect(strategy.selectableFields.includes("metadata.namespace")).toBe(strategy.namespaced);
  });
});
