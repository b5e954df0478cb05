import { describe, expect, it } from "vitest";
import { propagationPolicyOf } from "./delete.js";

describe("propagationPolicyOf", () => {
  it.each([
    { cascade: "background", want: "Background", warning: undefined },
    { cascade: "foreground", want: "Foreground", warning: undefined },
    { cascade: "orphan", want: "Orphan", warning: undefined },
    { cascade: "true", want: "Background", warning: "warning: --cascade=true is deprecated (boolean value) and can be replaced with --cascade=background." },
    { cascade: "false", want: "Orphan", warning: "warning: --cascade=false is deprecated (boolean value) and can be replaced with --cascade=orphan." },
  ])("--cascade=$cascade is $want", ({ cascade, want, warning }) => {
    const warnings: string[] = [];
    expect(propagationPolicyOf(cascade, (m) => warnings.push(m))).toBe(want);
    expect(warnings).toEqual(warning ? [warning] : []);
  });

  it("rejects any other value as kubectl does", () => {
    expect(() => propagationPolicyOf("sideways")).toThrow('invalid cascade value (sideways). Must be "background", "foreground", or "orphan".');
  });
});
