/**
 * Label selectors (k8s.io/apimachinery/pkg/labels): the string syntax of `-l` and list requests
 * (`app=web,tier!=db,env in (prod,staging),!canary`) and the object form of ReplicaSet and Deployment
 * selectors (`matchLabels`, `matchExpressions`). Both become the same Selector.
 */
import { InvalidError, type FieldError } from "./errors.js";
import { forbidden, invalid, required } from "./field-errors.js";
import { validateLabelKey, validateLabelValue } from "./labels.js";

export type SelectorOperator =
  | "Equals"
  | "NotEquals"
  | "In"
  | "NotIn"
  | "Exists"
  | "DoesNotExist"
  | "GreaterThan"
  | "LessThan";

export interface Requirement {
  readonly key: string;
  readonly operator: SelectorOperator;
  readonly values: readonly string[];
}

export type Labels = Readonly<Record<string, string>>;

export interface Selector {
  /** Sorted by key; all must match. */
  readonly requirements: readonly Requirement[];
  matches(labels: Labels | undefined): boolean;
  /** True for the selector that selects everything. */
  isEmpty(): boolean;
  /** The string syntax, which parses back to an equal selector. */
  toString(): string;
}

/** The object form, as in a ReplicaSet's `spec.selector`. */
export interface LabelSelector {
  readonly matchLabels?: Labels | undefined;
  readonly matchExpressions?: readonly LabelSelectorRequirement[] | undefined;
}

export interface LabelSelectorRequirement {
  readonly key: string;
  readonly operator: string;
  readonly values?: readonly string[] | undefined;
}

class RequirementsSelector implements Selector {
  constructor(readonly requirements: readonly Requirement[]) {}

  matches(labels: Labels | undefined): boolean {
    for (const r of this.requirements) if (!requirementMatches(r, labels)) return false;
    return true;
  }

  isEmpty(): boolean {
    return this.requirements.length === 0;
  }

  toString(): string {
    return this.requirements.map(requirementString).join(",");
  }
}

const selectsNothing: Selector = {
  requirements: [],
  matches: () => false,
  isEmpty: () => false,
  toString: () => "",
};

const selectsEverything: Selector = new RequirementsSelector([]);

/** Selects every object, labelled or not. */
export function everythingSelector(): Selector {
  return selectsEverything;
}

/** Selects nothing: what an absent object-form selector means. */
export function nothingSelector(): Selector {
  return selectsNothing;
}

/** `{app: "web"}` as `app=web`. Keys and values are trusted: use it for labels already validated. */
export function selectorFromSet(labels: Labels | undefined): Selector {
  const reqs = Object.entries(labels ?? {}).map(([key, value]): Requirement => ({ key, operator: "Equals", values: [value] }));
  return new RequirementsSelector(sortByKey(reqs));
}

function requirementMatches(r: Requirement, labels: Labels | undefined): boolean {
  const has = labels !== undefined && Object.hasOwn(labels, r.key);
  const value = has ? labels[r.key] : undefined;
  switch (r.operator) {
    case "Equals":
    case "In":
      return value !== undefined && r.values.includes(value);
    case "NotEquals":
    case "NotIn":
      return value === undefined || !r.values.includes(value);
    case "Exists":
      return has;
    case "DoesNotExist":
      return !has;
    case "GreaterThan":
    case "LessThan": {
      if (value === undefined || !/^[-+]?[0-9]+$/.test(value)) return false;
      const actual = Number(value);
      const bound = Number(r.values[0]);
      return r.operator === "GreaterThan" ? actual > bound : actual < bound;
    }
  }
}

function requirementString(r: Requirement): string {
  switch (r.operator) {
    case "Equals":
      return `${r.key}=${r.values[0] ?? ""}`;
    case "NotEquals":
      return `${r.key}!=${r.values[0] ?? ""}`;
    case "In":
      return `${r.key} in (${r.values.join(",")})`;
    case "NotIn":
      return `${r.key} notin (${r.values.join(",")})`;
    case "Exists":
      return r.key;
    case "DoesNotExist":
      return `!${r.key}`;
    case "GreaterThan":
      return `${r.key}>${r.values[0] ?? ""}`;
    case "LessThan":
      return `${r.key}<${r.values[0] ?? ""}`;
  }
}

function sortByKey(reqs: Requirement[]): Requirement[] {
  return reqs.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
}

/** The rules a requirement breaks: key and values syntax, and the number of values its operator takes. */
function validateRequirement(r: Requirement, path: string): FieldError[] {
  const errs: FieldError[] = [];
  for (const msg of validateLabelKey(r.key)) errs.push(invalid(path, r.key, msg));
  switch (r.operator) {
    case "In":
    case "NotIn":
      if (r.values.length === 0) errs.push(invalid(path, r.key, "for 'in', 'notin' operators, values set can't be empty"));
      break;
    case "Equals":
    case "NotEquals":
      if (r.values.length !== 1) errs.push(invalid(path, r.key, "exact-match compatibility requires one single value"));
      break;
    case "Exists":
    case "DoesNotExist":
      if (r.values.length !== 0) errs.push(invalid(path, r.key, "values set must be empty for exists and does not exist"));
      break;
    case "GreaterThan":
    case "LessThan":
      if (r.values.length !== 1 || !/^[-+]?[0-9]+$/.test(r.values[0] ?? "")) {
        errs.push(invalid(path, r.values.join(","), "for 'Gt', 'Lt' operators, the value must be an integer"));
      }
      return errs;
  }
  for (const v of r.values) for (const msg of validateLabelValue(v)) errs.push(invalid(path, v, msg));
  return errs;
}

// ---- the string syntax ----

type TokenKind = "identifier" | "!" | "!=" | "=" | "==" | ">" | "<" | "(" | ")" | "," | "end";
interface Token {
  readonly kind: TokenKind;
  readonly text: string;
}

const symbolChars = new Set(["=", "!", "(", ")", ",", ">", "<"]);

function lex(input: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < input.length) {
    const ch = input[i] ?? "";
    if (/\s/.test(ch)) {
      i++;
    } else if (symbolChars.has(ch)) {
      const two = input.slice(i, i + 2);
      const text = two === "!=" || two === "==" ? two : ch;
      tokens.push({ kind: text as TokenKind, text });
      i += text.length;
    } else {
      let j = i;
      while (j < input.length && !/\s/.test(input[j] ?? "") && !symbolChars.has(input[j] ?? "")) j++;
      tokens.push({ kind: "identifier", text: input.slice(i, j) });
      i = j;
    }
  }
  tokens.push({ kind: "end", text: "" });
  return tokens;
}

class SelectorSyntaxError extends Error {}

class Parser {
  private pos = 0;
  constructor(private readonly tokens: readonly Token[]) {}

  private peek(): Token {
    return this.tokens[this.pos] ?? { kind: "end", text: "" };
  }

  private next(): Token {
    const t = this.peek();
    if (this.pos < this.tokens.length - 1) this.pos++;
    return t;
  }

  parse(): Requirement[] {
    const reqs: Requirement[] = [];
    for (;;) {
      const t = this.peek();
      if (t.kind === "end") return reqs;
      if (t.kind !== "identifier" && t.kind !== "!") {
        throw new SelectorSyntaxError(`found '${t.text}', expected: !, identifier, or 'end of string'`);
      }
      reqs.push(this.parseRequirement());
      const sep = this.next();
      if (sep.kind === "end") return reqs;
      if (sep.kind !== ",") throw new SelectorSyntaxError(`found '${sep.text}', expected: ',' or 'end of string'`);
      const after = this.peek();
      if (after.kind !== "identifier" && after.kind !== "!") {
        throw new SelectorSyntaxError(`found '${after.text}', expected: identifier after ','`);
      }
    }
  }

  private parseRequirement(): Requirement {
    const doesNotExist = this.peek().kind === "!";
    if (doesNotExist) this.next();
    const keyToken = this.next();
    if (keyToken.kind !== "identifier") throw new SelectorSyntaxError(`found '${keyToken.text}', expected: identifier`);
    const key = keyToken.text;
    if (doesNotExist) return { key, operator: "DoesNotExist", values: [] };
    const following = this.peek().kind;
    if (following === "end" || following === ",") return { key, operator: "Exists", values: [] };

    const operator = this.parseOperator();
    if (operator === "In" || operator === "NotIn") return { key, operator, values: this.parseValueList() };
    return { key, operator, values: [this.parseExactValue()] };
  }

  private parseOperator(): SelectorOperator {
    const t = this.next();
    switch (t.kind) {
      case "=":
      case "==":
        return "Equals";
      case "!=":
        return "NotEquals";
      case ">":
        return "GreaterThan";
      case "<":
        return "LessThan";
      case "identifier":
        if (t.text === "in") return "In";
        if (t.text === "notin") return "NotIn";
    }
    throw new SelectorSyntaxError(`found '${t.text}', expected: in, notin, =, ==, !=, gt, lt`);
  }

  /** `(a,b)`; an empty entry, as in `()` or `(a,)`, is the empty value. */
  private parseValueList(): string[] {
    const open = this.next();
    if (open.kind !== "(") throw new SelectorSyntaxError(`found '${open.text}', expected: '('`);
    const values = new Set<string>();
    let expectingValue = true;
    for (;;) {
      const t = this.next();
      if (t.kind === "identifier" && expectingValue) {
        values.add(t.text);
        expectingValue = false;
      } else if (t.kind === "identifier") {
        throw new SelectorSyntaxError(`found '${t.text}', expected: ',' or ')'`);
      } else if (t.kind === ",") {
        if (expectingValue) values.add("");
        expectingValue = true;
      } else if (t.kind === ")") {
        if (expectingValue) values.add("");
        return [...values].sort();
      } else {
        throw new SelectorSyntaxError(`found '${t.text}', expected: ',', ')' or identifier`);
      }
    }
  }

  /** `a=` selects the empty value. */
  private parseExactValue(): string {
    const following = this.peek().kind;
    if (following === "end" || following === ",") return "";
    const t = this.next();
    if (t.kind !== "identifier") throw new SelectorSyntaxError(`found '${t.text}', expected: identifier`);
    return t.text;
  }
}

/**
 * Parses the string syntax. The empty string selects everything. Throws InvalidError naming the
 * selector, with every key or value rule broken, or the first syntax error.
 */
export function parseSelector(selector: string, path = "labelSelector"): Selector {
  let reqs: Requirement[];
  try {
    reqs = new Parser(lex(selector)).parse();
  } catch (e) {
    if (!(e instanceof SelectorSyntaxError)) throw e;
    throw new InvalidError(`label selector ${JSON.stringify(selector)}`, [
      invalid(path, selector, `unable to parse requirement: ${e.message}`),
    ]);
  }
  const errs = reqs.flatMap((r) => validateRequirement(r, path));
  if (errs.length > 0) throw new InvalidError(`label selector ${JSON.stringify(selector)}`, errs);
  return new RequirementsSelector(sortByKey(reqs));
}

const objectOperators: Readonly<Record<string, SelectorOperator>> = {
  In: "In",
  NotIn: "NotIn",
  Exists: "Exists",
  DoesNotExist: "DoesNotExist",
};

/** Every rule the object form breaks, at paths under `path` (e.g. `spec.selector`). */
export function validateLabelSelector(selector: LabelSelector | undefined, path: string): FieldError[] {
  if (!selector) return [];
  const errs: FieldError[] = [];
  const labelsPath = `${path}.matchLabels`;
  for (const [k, v] of Object.entries(selector.matchLabels ?? {})) {
    for (const msg of validateLabelKey(k)) errs.push(invalid(labelsPath, k, msg));
    for (const msg of validateLabelValue(v)) errs.push(invalid(labelsPath, v, msg));
  }
  (selector.matchExpressions ?? []).forEach((expr, i) => {
    const exprPath = `${path}.matchExpressions[${i}]`;
    const values = expr.values ?? [];
    for (const msg of validateLabelKey(expr.key)) errs.push(invalid(`${exprPath}.key`, expr.key, msg));
    switch (expr.operator) {
      case "In":
      case "NotIn":
        if (values.length === 0) errs.push(required(`${exprPath}.values`, "must be specified when `operator` is 'In' or 'NotIn'"));
        break;
      case "Exists":
      case "DoesNotExist":
        if (values.length > 0) errs.push(forbidden(`${exprPath}.values`, "may not be specified when `operator` is 'Exists' or 'DoesNotExist'"));
        break;
      default:
        errs.push(invalid(`${exprPath}.operator`, expr.operator, "not a valid selector operator"));
    }
    values.forEach((v, j) => {
      for (const msg of validateLabelValue(v)) errs.push(invalid(`${exprPath}.values[${j}]`, v, msg));
    });
  });
  return errs;
}

/**
 * The object form as a Selector. As in Kubernetes, an absent selector selects nothing and an empty one
 * (`{}`) selects everything. Throws InvalidError with every rule broken.
 */
export function selectorFromLabelSelector(selector: LabelSelector | null | undefined, path = "selector"): Selector {
  if (selector === undefined || selector === null) return nothingSelector();
  const errs = validateLabelSelector(selector, path);
  if (errs.length > 0) throw new InvalidError("label selector", errs);
  const reqs: Requirement[] = Object.entries(selector.matchLabels ?? {}).map(([key, value]) => ({
    key,
    operator: "Equals",
    values: [value],
  }));
  for (const expr of selector.matchExpressions ?? []) {
    const operator = objectOperators[expr.operator];
    if (operator !== undefined) reqs.push({ key: expr.key, operator, values: [...new Set(expr.values ?? [])].sort() });
  }
  return new RequirementsSelector(sortByKey(reqs));
}
