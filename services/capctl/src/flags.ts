import { InvalidArgumentError } from "commander";

/** A count or port flag: a whole number, else commander's one-line error. */
export function integer(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n)) throw new InvalidArgumentError("must be an integer");
  return n;
}
