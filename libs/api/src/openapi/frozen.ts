/** A document shared by every caller, frozen all the way down so no caller can change another's copy. */
export function frozen<T extends object>(value: T): T {
  for (const v of Object.values(value)) if (typeof v === "object" && v !== null) frozen(v);
  return Object.freeze(value);
}
