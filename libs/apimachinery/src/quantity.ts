/**
 * Kubernetes resource quantities ("100m", "0.5", "10Gi", "129e6"), held exactly as an integer times a
 * power of ten so that "0.1" + "0.2" style rounding never decides whether a pod fits.
 */
import { CapstanError } from "./errors.js";

const quantityRegexString = "^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$";
const quantityRegexp = new RegExp(quantityRegexString);

/** Kubernetes' ErrFormatWrong, word for word. */
export const QUANTITY_FORMAT_MESSAGE = `quantities must match the regular expression '${quantityRegexString}'`;
const SUFFIX_MESSAGE = "unable to parse quantity's suffix";
const NUMERIC_MESSAGE = "unable to parse numeric part of quantity";
/**
 * Kubernetes documents that no quantity represents a number beyond 2^63-1 in magnitude, yet caps some
 * ("8Ei") and lets others ("1e400") through to overflow wherever they are counted; Capstan refuses them.
 */
export const QUANTITY_RANGE_MESSAGE = "quantities must be no larger than 2^63-1 (9223372036854775807) in magnitude";

const decimalSuffixes: Readonly<Record<string, number>> = { n: -9, u: -6, m: -3, "": 0, k: 3, M: 6, G: 9, T: 12, P: 15, E: 18 };
const binarySuffixes: Readonly<Record<string, bigint>> = { Ki: 10n, Mi: 20n, Gi: 30n, Ti: 40n, Pi: 50n, Ei: 60n };
const MAX_EXPONENT = 2 ** 31 - 1;
const MAX_MAGNITUDE = 2n ** 63n - 1n;
const MAX_MAGNITUDE_DIGITS = MAX_MAGNITUDE.toString().length;

/** A quantity string that does not parse; `reason` is the rule it breaks. */
export class QuantityFormatError extends CapstanError {
  constructor(
    readonly value: string,
    readonly reason: string,
  ) {
    super("Invalid", `invalid quantity ${JSON.stringify(value)}: ${reason}`);
  }
}

let makeQuantity: (unscaled: bigint, scale: number, text: string) => Quantity;

export class Quantity {
  static {
    makeQuantity = (unscaled, scale, text) => new Quantity(unscaled, scale, text);
  }

  /** value = unscaled × 10^scale, exactly. */
  private constructor(
    private readonly unscaled: bigint,
    private readonly scale: number,
    private readonly text: string,
  ) {}

  /** The value rounded up, away from zero, to a whole unit (bytes, pods, cores). */
  value(): number {
    return scaledCeil(this.unscaled, this.scale);
  }

  /** The value in thousandths, rounded up away from zero: what cpu is counted in. */
  milliValue(): number {
    return scaledCeil(this.unscaled, this.scale + 3);
  }

  sign(): -1 | 0 | 1 {
    return this.unscaled === 0n ? 0 : this.unscaled < 0n ? -1 : 1;
  }

  isZero(): boolean {
    return this.unscaled === 0n;
  }

  /** -1, 0 or 1 as this is less than, equal to or greater than `other`, compared exactly. */
  cmp(other: Quantity): -1 | 0 | 1 {
    const a = this.sign();
    const b = other.sign();
    if (a !== b) return a < b ? -1 : 1;
    if (a === 0) return 0;
    const orderA = digits(this.unscaled) + this.scale;
    const orderB = digits(other.unscaled) + other.scale;
    if (orderA !== orderB) return (orderA < orderB) === (a > 0) ? -1 : 1;
    // Same order of magnitude: the scales differ by at most the digit counts, so the shift is small.
    const scale = Math.min(this.scale, other.scale);
    const x = this.unscaled * 10n ** BigInt(this.scale - scale);
    const y = other.unscaled * 10n ** BigInt(other.scale - scale);
    return x === y ? 0 : x < y ? -1 : 1;
  }

  /** The text the quantity was parsed from. */
  toString(): string {
    return this.text;
  }
}

function digits(n: bigint): number {
  return (n < 0n ? -n : n).toString().length;
}

function scaledCeil(unscaled: bigint, scale: number): number {
  if (unscaled === 0n) return 0;
  const negative = unscaled < 0n;
  const magnitude = negative ? -unscaled : unscaled;
  let result: number;
  if (scale >= 0) {
    result = Number(magnitude * 10n ** BigInt(scale));
  } else if (-scale > digits(magnitude)) {
    result = 1; // below one unit: rounds up to one
  } else {
    const divisor = 10n ** BigInt(-scale);
    const q = magnitude / divisor;
    result = Number(magnitude % divisor === 0n ? q : q + 1n);
  }
  return negative ? -result : result;
}

type Parsed = { ok: true; quantity: Quantity } | { ok: false; reason: string };

function parse(text: string): Parsed {
  const m = quantityRegexp.exec(text);
  if (!m) return { ok: false, reason: QUANTITY_FORMAT_MESSAGE };
  const numberPart = m[1] ?? "";
  const suffix = m[2] ?? "";

  let sign = 1n;
  let body = numberPart;
  if (body.startsWith("-") || body.startsWith("+")) {
    if (body.startsWith("-")) sign = -1n;
    body = body.slice(1);
  }
  const [whole = "", fraction = "", extra] = body.split(".");
  if (extra !== undefined || whole.length + fraction.length === 0) return { ok: false, reason: NUMERIC_MESSAGE };
  let unscaled = sign * BigInt(whole + fraction);
  let scale = -fraction.length;

  const decimal = decimalSuffixes[suffix];
  const binary = binarySuffixes[suffix];
  if (decimal !== undefined) {
    scale += decimal;
  } else if (binary !== undefined) {
    unscaled *= 1n << binary;
  } else if (suffix.length > 1 && (suffix[0] === "e" || suffix[0] === "E") && /^[-+]?[0-9]+$/.test(suffix.slice(1))) {
    const exponent = Number(suffix.slice(1));
    if (Math.abs(exponent) > MAX_EXPONENT) return { ok: false, reason: SUFFIX_MESSAGE };
    scale += exponent;
  } else {
    return { ok: false, reason: SUFFIX_MESSAGE };
  }
  if (exceedsRange(unscaled < 0n ? -unscaled : unscaled, scale)) return { ok: false, reason: QUANTITY_RANGE_MESSAGE };
  return { ok: true, quantity: makeQuantity(unscaled, scale, text) };
}

/** Whether magnitude × 10^scale > 2^63-1; the order of magnitude decides before any power is computed. */
function exceedsRange(magnitude: bigint, scale: number): boolean {
  if (magnitude === 0n) return false;
  const order = digits(magnitude) + scale;
  if (order !== MAX_MAGNITUDE_DIGITS) return order > MAX_MAGNITUDE_DIGITS;
  return scale >= 0 ? magnitude * 10n ** BigInt(scale) > MAX_MAGNITUDE : magnitude > MAX_MAGNITUDE * 10n ** BigInt(-scale);
}

/** Parses a quantity or throws QuantityFormatError naming the rule it breaks. */
export function parseQuantity(text: string): Quantity {
  const parsed = parse(text);
  if (!parsed.ok) throw new QuantityFormatError(text, parsed.reason);
  return parsed.quantity;
}

export function tryParseQuantity(text: string): Quantity | undefined {
  const parsed = parse(text);
  return parsed.ok ? parsed.quantity : undefined;
}

/** The rules `text` breaks as a quantity; empty when it is one. */
export function validateQuantity(text: string): string[] {
  const parsed = parse(text);
  return parsed.ok ? [] : [parsed.reason];
}

export function isValidQuantity(text: string): boolean {
  return parse(text).ok;
}
