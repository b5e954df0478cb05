/**
 * How `capctl get` and `capctl describe` show a kind: kubectl's printer columns (pkg/printers/internalversion
 * printers.go) and its describer (pkg/describe describe.go), beside the kind's other rules. capctl is
 * kind-agnostic: it adds NAMESPACE with -A and the kind prefix for several kinds, appends the Events, and
 * uses kubectl's defaults for a kind without a printer (NAME, AGE) or a describer (metadata, then the rest).
 */
import type { KindName } from "./kind-map.js";
import type { JsonObject } from "@capstan/apimachinery";

/** A kind's table for `capctl get`: its columns, and its cells read from the object's JSON. */
export interface KindPrinter {
  /** Column headers, NAME first, as kubectl prints them. */
  readonly headers: readonly string[];
  /** The columns `-o wide` adds after them; unset: none. */
  readonly wideHeaders?: readonly string[];
  /** One cell per header; `now` (ms since the epoch) is what AGE counts from. */
  row(object: JsonObject, now: number): string[];
  /** One cell per wide header. */
  wide?(object: JsonObject, now: number): string[];
  /** The order rows are printed in (events by when they last happened); unset: as listed. */
  compare?(a: JsonObject, b: JsonObject): number;
}

/** A kind's sections for `capctl describe`. */
export interface KindDescriber {
  /**
   * The object's lines, Name first, up to the Events (capctl appends those). A DescribeWriter writes them
   * in kubectl's layout; `lookup` reads related objects (a Deployment's ReplicaSets, a Service's Endpoints).
   * Unset: capctl's generic dump (Name, Namespace, Labels, Annotations, CreationTimestamp, then the rest).
   */
  sections?(object: JsonObject, lookup: DescribeLookup): readonly string[] | Promise<readonly string[]>;
  /** Whether capctl appends the Events about the object; unset: it does. */
  readonly events?: boolean;
}

/** What a describer may read besides the object: other objects, through the same client. */
export interface DescribeLookup {
  /** The object, or undefined when there is none. */
  get(kind: KindName, namespace: string, name: string): Promise<JsonObject | undefined>;
  /** Objects of a kind in a namespace ("" for a cluster-scoped kind) that a label selector selects ("" for all). */
  list(kind: KindName, namespace: string, labelSelector?: string): Promise<JsonObject[]>;
}
