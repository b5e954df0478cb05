import { describe, expect, it } from "vitest";
import { InvalidError } from "@capstan/apimachinery";
import { writeQueryOf } from "./write-options.js";

const KUBECTL = "kubectl/v1.32.3 (linux/amd64) kubernetes/32cc146";

function refusal(f: () => unknown): string {
  try {
    f();
  } catch (e) {
    if (e instanceof InvalidError) return e.message;
    throw e;
  }
  throw new Error("expected the options to be refused");
}

describe("writeQueryOf", () => {
  it("names the manager by ?fieldManager, else by the user agent's product as the apiserver does", () => {
    expect(writeQueryOf("PUT", new URLSearchParams("fieldManager=kubectl-edit"), KUBECTL, false).fieldManager).toBe("kubectl-edit");
    expect(writeQueryOf("PUT", new URLSearchParams(), KUBECTL, false).fieldManager).toBe("kubectl");
    expect(writeQueryOf("PUT", new URLSearchParams(), "curl\u0007x/8.0", false).fieldManager).toBe("curlx");
    expect(writeQueryOf("PUT", new URLSearchParams(), "é".repeat(100), false).fieldManager).toBe("é".repeat(64));
    expect(writeQueryOf("PUT", new URLSearchParams(), undefined, false).fieldManager).toBe("");
  });

  it("reads dryRun=All and force for an apply", () => {
    expect(writeQueryOf("POST", new URLSearchParams("dryRun=All"), KUBECTL, false)).toEqual({ dryRun: true, fieldManager: "kubectl", force: false });
    expect(writeQueryOf("PATCH", new URLSearchParams("fieldManager=ci&force=true"), KUBECTL, true)).toEqual({ dryRun: false, fieldManager: "ci", force: true });
    expect(writeQueryOf("DELETE", new URLSearchParams(), KUBECTL, false, ["All"]).dryRun).toBe(true);
  });

  it("refuses bad options with 422 naming the options kind and the field, as the apiserver validates them", () => {
    expect(refusal(() => writeQueryOf("POST", new URLSearchParams("dryRun=true"), KUBECTL, false))).toBe(
      'CreateOptions.meta.k8s.io "" is invalid: dryRun: Unsupported value "true": supported values: "All"',
    );
    expect(refusal(() => writeQueryOf("DELETE", new URLSearchParams(), KUBECTL, false, ["Yes"]))).toMatch(/^DeleteOptions\.meta\.k8s\.io "" is invalid: dryRun: Unsupported value "Yes"/);
    expect(refusal(() => writeQueryOf("PATCH", new URLSearchParams(), KUBECTL, true))).toBe('PatchOptions.meta.k8s.io "" is invalid: fieldManager: Required value: is required for apply patch');
    expect(refusal(() => writeQueryOf("PATCH", new URLSearchParams("force=true"), KUBECTL, false))).toBe(
      'PatchOptions.meta.k8s.io "" is invalid: force: Forbidden: may not be specified for non-apply patch',
    );
    expect(refusal(() => writeQueryOf("PUT", new URLSearchParams(`fieldManager=${"m".repeat(129)}`), KUBECTL, false))).toBe(
      'UpdateOptions.meta.k8s.io "" is invalid: fieldManager: Too long: may not be more than 128 bytes',
    );
  });
});
