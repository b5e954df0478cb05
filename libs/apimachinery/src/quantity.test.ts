import { describe, expect, it } from "vitest";
import { isCapstanError } from "./errors.js";
import { QUANTITY_FORMAT_MESSAGE, QUANTITY_RANGE_MESSAGE, isValidQuantity, parseQuantity, tryParseQuantity, validateQuantity } from "./quantity.js";

describe("parseQuantity", () => {
  it.each([
    { name: "millicores", input: "100m", milli: 100, value: 1 },
    { name: "half a core", input: "0.5", milli: 500, value: 1 },
    { name: "one core", input: "1", milli: 1000, value: 1 },
    { name: "leading dot", input: ".5", milli: 500, value: 1 },
    { name: "gibibytes", input: "10Gi", milli: 10 * 2 ** 30 * 1000, value: 10 * 2 ** 30 },
    { name: "plain bytes", input: "128974848", milli: 128974848000, value: 128974848 },
    { name: "decimal exponent", input: "129e6", milli: 129e9, value: 129e6 },
    { name: "upper-case exponent", input: "1E3", milli: 1e6, value: 1000 },
    { name: "negative exponent", input: "1e-3", milli: 1, value: 1 },
    { name: "mebibytes", input: "123Mi", milli: 123 * 2 ** 20 * 1000, value: 123 * 2 ** 20 },
    { name: "kilo", input: "1k", milli: 1e6, value: 1000 },
    { name: "mega", input: "1M", milli: 1e9, value: 1e6 },
    { name: "exa", input: "1E", milli: 1e21, value: 1e18 },
    { name: "exponent", input: "1e3", milli: 1e6, value: 1000 },
    { name: "fractional binary", input: "1.5Ki", milli: 1536000, value: 1536 },
    { name: "nanos round up", input: "1n", milli: 1, value: 1 },
    { name: "sub-milli rounds up", input: "0.0001", milli: 1, value: 1 },
    { name: "micro", input: "2500u", milli: 3, value: 1 },
    { name: "zero", input: "0", milli: 0, value: 0 },
    { name: "explicit plus", input: "+2", milli: 2000, value: 2 },
    { name: "negative rounds away from zero", input: "-1.5", milli: -1500, value: -2 },
    { name: "trailing dot", input: "1.G", milli: 1e12, value: 1e9 },
    { name: "the largest", input: "9223372036854775807", milli: 9223372036854775807000, value: 9223372036854775807 },
    { name: "the largest, negative", input: "-9223372036854775807", milli: -9223372036854775807000, value: -9223372036854775807 },
    { name: "just below 8Ei", input: "7.99Ei", milli: 7.99 * 2 ** 60 * 1000, value: 7.99 * 2 ** 60 },
    { name: "large exponent, small mantissa", input: "0.000000000000000000001e39", milli: 1e21, value: 1e18 },
    { name: "tiny", input: "1e-400", milli: 1, value: 1 },
  ])("$name: $input", ({ input, milli, value }) => {
    const q = parseQuantity(input);
    expect(q.milliValue()).toBe(milli);
    expect(q.value()).toBe(value);
    expect(q.toString()).toBe(input);
    expect(isValidQuantity(input)).toBe(true);
  });

  it.each([
    { name: "empty", input: "", reason: QUANTITY_FORMAT_MESSAGE },
    { name: "letters", input: "abc", reason: QUANTITY_FORMAT_MESSAGE },
    { name: "unit with a B", input: "10GiB", reason: QUANTITY_FORMAT_MESSAGE },
    { name: "space", input: "1 Gi", reason: QUANTITY_FORMAT_MESSAGE },
    { name: "lower-case kibi", input: "1ki", reason: "unable to parse quantity's suffix" },
    { name: "upper-case kilo", input: "1K", reason: "unable to parse quantity's suffix" },
    { name: "bare exponent", input: "1e", reason: "unable to parse quantity's suffix" },
    { name: "suffix with digits", input: "1k3", reason: "unable to parse quantity's suffix" },
    { name: "two dots", input: "1.2.3", reason: "unable to parse numeric part of quantity" },
    { name: "only a dot", input: ".", reason: "unable to parse numeric part of quantity" },
    { name: "infinity", input: "Infinity", reason: QUANTITY_FORMAT_MESSAGE },
    { name: "not a number", input: "NaN", reason: QUANTITY_FORMAT_MESSAGE },
    { name: "beyond any float", input: "1e400", reason: QUANTITY_RANGE_MESSAGE },
    { name: "beyond any float, negative", input: "-1e400", reason: QUANTITY_RANGE_MESSAGE },
    { name: "one past the largest", input: "9223372036854775808", reason: QUANTITY_RANGE_MESSAGE },
    { name: "a fraction past the largest", input: "9223372036854775807.5", reason: QUANTITY_RANGE_MESSAGE },
    { name: "2^63 in binary", input: "8Ei", reason: QUANTITY_RANGE_MESSAGE },
    { name: "exa beyond the range", input: "10E", reason: QUANTITY_RANGE_MESSAGE },
    { name: "many digits", input: "1".repeat(400), reason: QUANTITY_RANGE_MESSAGE },
    { name: "the largest exponent", input: "1e2147483647", reason: QUANTITY_RANGE_MESSAGE },
    { name: "an exponent past int32", input: "1e2147483648", reason: "unable to parse quantity's suffix" },
  ])("$name: rejects $input", ({ input, reason }) => {
    expect(validateQuantity(input)).toEqual([reason]);
    expect(isValidQuantity(input)).toBe(false);
    expect(tryParseQuantity(input)).toBeUndefined();
    let thrown: unknown;
    try {
      parseQuantity(input);
    } catch (e) {
      thrown = e;
    }
    expect(isCapstanError(thrown, "Invalid")).toBe(true);
    expect((thrown as Error).message).toBe(`invalid quantity ${JSON.stringify(input)}: ${reason}`);
  });

  it("states the Kubernetes rule", () => {
    expect(QUANTITY_FORMAT_MESSAGE).toBe(
      "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'",
    );
  });

  it.each([
    { name: "same value, different spelling", a: "1", b: "1000m", want: 0 },
    { name: "binary against decimal", a: "1Ki", b: "1k", want: 1 },
    { name: "millis below cores", a: "999m", b: "1", want: -1 },
    { name: "exponent against suffix", a: "1e3", b: "1k", want: 0 },
    { name: "negatives", a: "-2", b: "-1", want: -1 },
    { name: "sign decides", a: "-1", b: "0", want: -1 },
    { name: "orders of magnitude apart", a: "1e18", b: "5", want: 1 },
    { name: "tiny against zero", a: "1e-300", b: "0", want: 1 },
    { name: "negative orders apart", a: "-1e10", b: "-5", want: -1 },
  ])("cmp $name: $a vs $b", ({ a, b, want }) => {
    expect(parseQuantity(a).cmp(parseQuantity(b))).toBe(want);
    expect(parseQuantity(b).cmp(parseQuantity(a))).toBe(-want || 0);
  });

  it("does not compute huge exponents", () => {
    const started = performance.now();
    expect(isValidQuantity("1e999999999")).toBe(false);
    expect(parseQuantity("1e-999999999").milliValue()).toBe(1);
    expect(parseQuantity(`1${"0".repeat(100_000)}e-100000`).value()).toBe(1);
    expect(performance.now() - started).toBeLessThan(1_000);
  });
});
