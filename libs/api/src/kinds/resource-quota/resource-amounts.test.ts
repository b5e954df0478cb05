import { describe, expect, it } from "vitest";
import { amountOf, formatAmount, printAmounts } from "./resource-amounts.js";

describe("quota amounts", () => {
  it.each([
    { name: "cpu in cores", resource: "requests.cpu", text: "2", amount: 2000, printed: "2" },
    { name: "cpu in millicores", resource: "cpu", text: "250m", amount: 250, printed: "250m" },
    { name: "fractional cpu", resource: "limits.cpu", text: "1.5", amount: 1500, printed: "1500m" },
    { name: "binary memory", resource: "requests.memory", text: "256Mi", amount: 268435456, printed: "256Mi" },
    { name: "decimal memory", resource: "memory", text: "512M", amount: 512000000, printed: "512M" },
    { name: "a count", resource: "pods", text: "10", amount: 10, printed: "10" },
    { name: "a count of thousands", resource: "count/configmaps", text: "2k", amount: 2000, printed: "2k" },
    { name: "zero", resource: "requests.memory", text: "0", amount: 0, printed: "0" },
  ])("$name: $text is $amount, printed $printed", ({ resource, text, amount, printed }) => {
    expect(amountOf(resource, text)).toBe(amount);
    expect(formatAmount(resource, amount)).toBe(printed);
  });

  it("prints a resource list as Kubernetes' prettyPrint: name=value, names sorted", () => {
    expect(printAmounts(new Map([["requests.cpu", 500], ["pods", 1]]))).toBe("pods=1,requests.cpu=500m");
  });
});
