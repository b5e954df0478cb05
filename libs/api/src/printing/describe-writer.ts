/**
 * kubectl describe's layout (its PrefixWriter and tabbed output): aligned `Key:  value` lines, nested
 * sections indented by two, an unset value shown as <none>.
 */
import type { JsonObject } from "@capstan/apimachinery";
import { objectOf } from "../object-view.js";
import { NONE } from "./cells.js";

/** The column values start at, as kubectl's tab writer aligns the top-level keys. */
const VALUE_COLUMN = 18;

/** printAnnotationsMultiline's maxAnnotationLen: a longer `key: value` gets the value on lines of its own. */
const MAX_ANNOTATION_LENGTH = 140;

export class DescribeWriter {
  readonly lines: string[] = [];

  /** `Key:  value` at `indent` spaces; undefined or "" print as <none>. */
  field(indent: number, key: string, value: unknown): void {
    const text = value === undefined || value === "" ? NONE : String(value);
    this.lines.push(`${" ".repeat(indent)}${`${key}:`.padEnd(Math.max(VALUE_COLUMN - indent, key.length + 2))}${text}`);
  }

  /** A map as `Key:  k=v`, one entry a line, the rest aligned under the first; <none> when empty. */
  map(indent: number, key: string, m: unknown): void {
    const entries = Object.entries(objectOf(m) ?? {});
    if (entries.length === 0) return this.field(indent, key, NONE);
    entries.forEach(([k, v], i) => {
      if (i === 0) this.field(indent, key, `${k}=${v}`);
      else this.lines.push(`${" ".repeat(Math.max(VALUE_COLUMN, key.length + 2 + indent))}${k}=${v}`);
    });
  }

  /**
   * Annotations as kubectl's printAnnotationsMultiline: sorted, `key: value` one a line, a long or
   * multi-line value under its key; <none> when there are none.
   */
  annotations(indent: number, m: unknown): void {
    const entries = Object.entries(objectOf(m) ?? {}).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    if (entries.length === 0) return this.field(indent, "Annotations", NONE);
    const under = " ".repeat(Math.max(VALUE_COLUMN, indent + "Annotations".length + 2));
    entries.forEach(([key, raw], i) => {
      const value = String(raw).replace(/\n$/, "");
      const lines = key.length + value.length + 2 > MAX_ANNOTATION_LENGTH || value.includes("\n") ? [`${key}:`, ...value.split("\n").map((l) => `  ${l}`)] : [`${key}: ${value}`];
      lines.forEach((line, j) => {
        if (i === 0 && j === 0) this.field(indent, "Annotations", line);
        else this.lines.push(`${under}${line}`);
      });
    });
  }

  /** A resource list as kubectl prints Limits and Requests: the title alone, then `name:  quantity` lines aligned under it. */
  quantities(indent: number, title: string, m: unknown): void {
    const entries = Object.entries(objectOf(m) ?? {});
    this.line(`${" ".repeat(indent)}${title}:`);
    const width = Math.max(...entries.map(([k]) => k.length)) + 3;
    for (const [k, v] of entries) this.line(`${" ".repeat(indent + 2)}${`${k}:`.padEnd(width)}${String(v)}`);
  }

  /** The header most kinds open with: Name, Namespace, Labels, Annotations of the object's metadata. */
  objectMeta(object: JsonObject): void {
    const meta = objectOf(object["metadata"]) ?? {};
    this.field(0, "Name", meta["name"]);
    this.field(0, "Namespace", meta["namespace"]);
    this.map(0, "Labels", meta["labels"]);
    this.annotations(0, meta["annotations"]);
  }

  line(text: string): void {
    this.lines.push(text);
  }

  /** Each line of a block of text (a table), indented. */
  block(indent: number, text: string): void {
    for (const line of text.split("\n")) this.lines.push(`${" ".repeat(indent)}${line}`);
  }

  toString(): string {
    return this.lines.join("\n");
  }
}
