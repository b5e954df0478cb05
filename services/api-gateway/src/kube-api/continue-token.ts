/**
 * A list's `continue` token: the revision the first page answered at and the key of the last object
 * sent, so the next page starts after it and can tell whether the list is still the same list.
 */
import { badRequest } from "./status.js";

export interface ContinueToken {
  readonly resourceVersion: number;
  /** `namespace/name` (@capstan/api's keyOf) of the last object of the page before. */
  readonly start: string;
}

export function encodeContinue(token: ContinueToken): string {
  return Buffer.from(JSON.stringify({ v: 1, rv: token.resourceVersion, start: token.start })).toString("base64url");
}

export function decodeContinue(raw: string): ContinueToken {
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(raw, "base64url").toString("utf8"));
  } catch {
    throw invalidContinue();
  }
  const t = parsed as { v?: unknown; rv?: unknown; start?: unknown } | null;
  if (t?.v !== 1 || !Number.isSafeInteger(t.rv) || (t.rv as number) < 1 || typeof t.start !== "string" || t.start === "") throw invalidContinue();
  return { resourceVersion: t.rv as number, start: t.start };
}

function invalidContinue(): Error {
  return badRequest("continue key is not valid: the token was not written by this server");
}


/**
 * One page of a list sorted by key: up to `limit` objects (0: all) after the key `start` names (""
 * for the first page), and how many remain after it.
 */
export function pageOf<T>(sorted: readonly T[], keyOf: (item: T) => string, limit: number, start: string): { items: T[]; remaining: number } {
  const from = start === "" ? 0 : sorted.findIndex((item) => keyOf(item) > start);
  const rest = from < 0 ? [] : sorted.slice(from);
  const items = limit > 0 ? rest.slice(0, limit) : rest;
  return { items, remaining: rest.length - items.length };
}
