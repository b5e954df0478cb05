/**
 * Field selectors (k8s.io/apimachinery/pkg/fields): `spec.nodeName=n1,metadata.namespace!=kube-system`.
 * Only exact matches on a fixed set of fields per kind, so a server can answer them from an index.
 * `\,`, `\=` and `\\` escape the separators inside a value.
 */
import { InvalidError, type FieldError } from "./errors.js";
import { invalid } from "./field-errors.js";

export type FieldOperator = "=" | "!=";

export interface FieldRequirement {
  readonly field: string;
  readonly op: FieldOperator;
  readonly value: string;
}

export interface FieldSelector {
  /** Sorted by field; all must match. */
  readonly requirements: readonly FieldRequirement[];
  isEmpty(): boolean;
  /** `get` answers a field's value, or undefined when the object has no such field. */
  matchesFields(get: (field: string) => string | undefined): boolean;
  toString(): string;
}

class RequirementsFieldSelector implements FieldSelector {
  constructor(readonly requirements: readonly FieldRequirement[]) {}

  isEmpty(): boolean {
    return this.requirements.length === 0;
  }

  matchesFields(get: (field: string) => string | undefined): boolean {
    for (const r of this.requirements) {
      const equal = get(r.field) === r.value;
      if (equal !== (r.op === "=")) return false;
    }
    return true;
  }

  toString(): string {
    return this.requirements.map((r) => `${escapeValue(r.field)}${r.op}${escapeValue(r.value)}`).join(",");
  }
}

function escapeValue(s: string): string {
  return s.replace(/[\\,=]/g, (c) => `\\${c}`);
}

/** Splits on separators that are not escaped; escapes stay in place for the next step. */
function splitUnescaped(s: string, separator: string): string[] {
  const parts: string[] = [];
  let start = 0;
  for (let i = 0; i < s.length; i++) {
    if (s[i] === "\\") i++;
    else if (s[i] === separator) {
      parts.push(s.slice(start, i));
      start = i + 1;
    }
  }
  parts.push(s.slice(start));
  return parts;
}

function splitTerm(term: string): { lhs: string; op: FieldOperator; rhs: string } | undefined {
  for (let i = 0; i < term.length; i++) {
    if (term[i] === "\\") {
      i++;
      continue;
    }
    for (const op of ["!=", "==", "="] as const) {
      if (term.startsWith(op, i)) {
        return { lhs: term.slice(0, i), op: op === "==" ? "=" : op, rhs: term.slice(i + op.length) };
      }
    }
  }
  return undefined;
}

function unescape(s: string): string | undefined {
  let out = "";
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    if (c !== "\\") {
      out += c;
      continue;
    }
    const next = s[i + 1];
    if (next !== "\\" && next !== "," && next !== "=") return undefined;
    out += next;
    i++;
  }
  return out;
}

/**
 * Parses a field selector, accepting only `allowedFields`. The empty string selects everything.
 * Throws InvalidError naming the selector, with every term it cannot accept.
 */
export function parseFieldSelector(selector: string, allowedFields: readonly string[], path = "fieldSelector"): FieldSelector {
  const errs: FieldError[] = [];
  const reqs: FieldRequirement[] = [];
  for (const term of splitUnescaped(selector, ",")) {
    if (term === "") continue;
    const split = splitTerm(term);
    if (!split) {
      errs.push(invalid(path, term, "a field selector term must be 'field=value', 'field==value' or 'field!=value'"));
      continue;
    }
    const field = unescape(split.lhs);
    const value = unescape(split.rhs);
    if (field === undefined || value === undefined) {
      errs.push(invalid(path, term, "invalid escape sequence: only '\\\\', '\\,' and '\\=' may be escaped"));
      continue;
    }
    if (!allowedFields.includes(field)) {
      const supported = allowedFields.map((f) => JSON.stringify(f)).join(", ");
      errs.push(invalid(path, field, `field label not supported; supported field labels: ${supported}`));
      continue;
    }
    reqs.push({ field, op: split.op, value });
  }
  if (errs.length > 0) throw new InvalidError(`field selector ${JSON.stringify(selector)}`, errs);
  reqs.sort((a, b) => (a.field < b.field ? -1 : a.field > b.field ? 1 : 0));
  return new RequirementsFieldSelector(reqs);
}
