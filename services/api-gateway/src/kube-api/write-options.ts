/**
 * The query options of a write, as the apiserver reads and validates them (CreateOptions, UpdateOptions,
 * PatchOptions, DeleteOptions): dryRun, fieldManager, and force for an apply. A bad option is 422 Invalid
 * naming it, as ValidateCreateOptions and its siblings answer.
 */
import { field, InvalidError, type FieldError } from "@capstan/apimachinery";

/** The apiserver's limit on a field manager's name (validation.FieldManagerMaxLength). */
const FIELD_MANAGER_MAX_LENGTH = 128;

/** The options kind a request's method validates its query as. */
const OPTIONS_KIND: Readonly<Record<string, string>> = { POST: "CreateOptions", PUT: "UpdateOptions", PATCH: "PatchOptions", DELETE: "DeleteOptions" };

export interface WriteQuery {
  readonly dryRun: boolean;
  /** The manager the write is recorded for: ?fieldManager, else the user agent's product (as kube-apiserver derives it). */
  readonly fieldManager: string;
  readonly force: boolean;
}

/** The write options of `query`; `dryRunValues` adds what a DeleteOptions body says. */
export function writeQueryOf(method: string, query: URLSearchParams, userAgent: string | undefined, apply: boolean, dryRunValues: readonly unknown[] = []): WriteQuery {
  const errors: FieldError[] = [];
  const dryRun = [...query.getAll("dryRun"), ...dryRunValues];
  for (const value of dryRun) if (value !== "All") errors.push(field.notSupported("dryRun", value, ["All"]));
  const named = query.get("fieldManager") ?? "";
  if (named.length > FIELD_MANAGER_MAX_LENGTH) errors.push(field.tooLong("fieldManager", `may not be more than ${FIELD_MANAGER_MAX_LENGTH} bytes`));
  if (apply && named === "") errors.push(field.required("fieldManager", "is required for apply patch"));
  const force = query.get("force");
  if (force !== null && force !== "" && force !== "true" && force !== "false") errors.push(field.invalid("force", force, "must be true or false"));
  if (force !== null && !apply && method === "PATCH") errors.push(field.forbidden("force", "may not be specified for non-apply patch"));
  if (errors.length > 0) throw new InvalidError(`${OPTIONS_KIND[method] ?? "Options"}.meta.k8s.io ""`, errors);
  return { dryRun: dryRun.length > 0, fieldManager: named || managerOfUserAgent(userAgent ?? ""), force: force === "" || force === "true" };
}

/** kube-apiserver's prefixFromUserAgent: what precedes the first "/", printable characters only, at most the limit. */
function managerOfUserAgent(userAgent: string): string {
  let manager = "";
  for (const c of userAgent.split("/")[0] ?? "") {
    if (/\p{C}/u.test(c)) continue;
    if (Buffer.byteLength(manager + c) > FIELD_MANAGER_MAX_LENGTH) break;
    manager += c;
  }
  return manager;
}
