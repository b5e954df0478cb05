/**
 * Kubernetes' IntOrString (k8s.io/apimachinery/pkg/util/intstr), as the API messages hold it: a string
 * that is either an integer in decimal ("1", which Kubernetes JSON writes as the number 1) or any other
 * string ("25%", or a port name such as "http"). A numeric string is never a string value, since no
 * IntOrString field accepts one in Kubernetes either.
 */
import { InvalidError } from "@capstan/apimachinery";

const integer = /^-?[0-9]+$/;
const percent = /^(-?[0-9]+)%$/;

/** True when the value is an integer ("3"), false for a string value ("25%", "http"). */
export function isIntOrStringInt(value: string): boolean {
  return integer.test(value);
}

/** "25%" → 25; undefined for anything that is not a percentage. */
export function percentOf(value: string): number | undefined {
  const m = percent.exec(value);
  return m ? Number(m[1]) : undefined;
}

/**
 * The absolute value of an integer-or-percentage field against `total` (intstr.GetScaledValueFromIntOrPercent):
 * an integer as it is, a percentage of total rounded up or down. Unset counts as 0. Throws InvalidError
 * for a string that is not a percentage.
 */
export function scaledValueFromIntOrPercent(value: string | undefined, total: number, roundUp: boolean): number {
  if (value === undefined || value === "") return 0;
  if (isIntOrStringInt(value)) return Number(value);
  const p = percentOf(value);
  if (p === undefined) {
    throw new InvalidError("IntOrString", [{ path: "(value)", message: `Invalid value ${JSON.stringify(value)}: must be an integer or percentage (e.g '5%')` }]);
  }
  const scaled = (p * total) / 100;
  return roundUp ? Math.ceil(scaled) : Math.floor(scaled);
}
