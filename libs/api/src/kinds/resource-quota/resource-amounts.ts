/**
 * Quota arithmetic on resource lists: each quantity as a whole number in its counting unit (millicores for
 * cpu, bytes or objects otherwise), so sums and comparisons are exact integers, and back to Kubernetes'
 * quantity text for status.used and messages.
 */
import { parseQuantity } from "@capstan/apimachinery";
import { objectOf } from "../../object-view.js";

/** Amounts by resource name: "requests.cpu" → 500 (millicores), "pods" → 3. */
export type Amounts = Map<string, number>;

const isCpu = (resource: string): boolean => resource === "cpu" || resource.endsWith(".cpu");

/** A quantity's amount for a resource; throws QuantityFormatError on an invalid one (validation reports those first). */
export function amountOf(resource: string, quantity: string | number): number {
  const q = parseQuantity(String(quantity));
  return isCpu(resource) ? q.milliValue() : q.value();
}

/** A resource list's amounts; entries that are not quantities are left out. */
export function amountsOf(list: unknown): Amounts {
  const out: Amounts = new Map();
  for (const [name, q] of Object.entries(objectOf(list) ?? {})) {
    if (typeof q === "string" || typeof q === "number") out.set(name, amountOf(name, q));
  }
  return out;
}

const binarySuffixes = ["Ki", "Mi", "Gi", "Ti", "Pi", "Ei"] as const;
const decimalSuffixes = ["k", "M", "G", "T", "P", "E"] as const;

/** The largest suffix that writes `n` exactly: "256Mi" from base 1024, "512M" from base 1000. */
function withSuffix(n: number, base: number, suffixes: readonly string[]): string {
  let value = n;
  let suffix = "";
  for (const s of suffixes) {
    if (value === 0 || value % base !== 0) break;
    value /= base;
    suffix = s;
  }
  return `${value}${suffix}`;
}

/** An amount as quantity text: cpu as "2" or "500m", others in the shorter of their binary and decimal forms. */
export function formatAmount(resource: string, amount: number): string {
  if (isCpu(resource)) return amount % 1000 === 0 ? String(amount / 1000) : `${amount}m`;
  const binary = withSuffix(amount, 1024, binarySuffixes);
  const decimal = withSuffix(amount, 1000, decimalSuffixes);
  return binary.length < decimal.length ? binary : decimal;
}

/** Amounts as a resource list, its names in order. */
export function toResourceList(amounts: Amounts): Record<string, string> {
  return Object.fromEntries([...amounts.keys()].sort().map((name) => [name, formatAmount(name, amounts.get(name) ?? 0)]));
}

/** `a + b`, entry by entry. */
export function addAmounts(a: Amounts, b: Amounts): Amounts {
  const out = new Map(a);
  for (const [name, n] of b) out.set(name, (out.get(name) ?? 0) + n);
  return out;
}

/** The entries of `after - before` that are not zero. */
export function changedAmounts(before: Amounts, after: Amounts): Amounts {
  const out: Amounts = new Map();
  for (const name of new Set([...before.keys(), ...after.keys()])) {
    const delta = (after.get(name) ?? 0) - (before.get(name) ?? 0);
    if (delta !== 0) out.set(name, delta);
  }
  return out;
}

/** The entries of `amounts` whose names `names` has. */
export function maskAmounts(amounts: Amounts, names: ReadonlyMap<string, unknown>): Amounts {
  return new Map([...amounts].filter(([name]) => names.has(name)));
}

/** "pods=1,requests.cpu=500m": Kubernetes' prettyPrint of a resource list, names sorted. */
export function printAmounts(amounts: Amounts): string {
  return [...amounts.keys()]
    .sort()
    .map((name) => `${name}=${formatAmount(name, amounts.get(name) ?? 0)}`)
    .join(",");
}
