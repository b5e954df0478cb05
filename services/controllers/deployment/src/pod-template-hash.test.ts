import { describe, expect, it } from "vitest";
import { POD_TEMPLATE_HASH, podTemplateHash, sameTemplate } from "./pod-template-hash.js";

const template = { metadata: { labels: { app: "web" } }, spec: { containers: [{ name: "c", image: "nginx:1.27" }] } };

describe("pod template hash", () => {
  it("is stable whatever the order of fields, and ignores its own label", () => {
    const reordered = { spec: { containers: [{ image: "nginx:1.27", name: "c" }] }, metadata: { labels: { app: "web", [POD_TEMPLATE_HASH]: "x" } } };
    expect(podTemplateHash(reordered)).toBe(podTemplateHash(template));
    expect(sameTemplate(reordered, template)).toBe(true);
  });

  it("changes with the template and with the collision count", () => {
    const other = { ...template, spec: { containers: [{ name: "c", image: "nginx:1.28" }] } };
    expect(podTemplateHash(other)).not.toBe(podTemplateHash(template));
    expect(sameTemplate(other, template)).toBe(false);
    expect(podTemplateHash(template, 1)).not.toBe(podTemplateHash(template));
  });

  it("is a valid label value of 10 characters", () => {
    expect(podTemplateHash(template)).toMatch(/^[a-z0-9]{10}$/);
  });
});
