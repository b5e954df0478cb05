/**
 * `capctl get`'s tables, for any kind: the kind's printer (its strategy's, in @capstan/api) or kubectl's
 * default NAME and AGE, with a NAMESPACE column first when listing across namespaces.
 */
import { kindInfo, printerColumns, printerOf, printerRow, type JsonObject, type TableOptions } from "@capstan/api";

/** @capstan/api's JsonObject, under the short name capctl's commands and tests use. */
export type Json = JsonObject;

/** How kubectl names a kind in messages and `-o name`: `pod`, `deployment.apps`. */
/** The object as kubectl prints it with -o yaml|json unless --show-managed-fields: without metadata.managedFields. */
export function withoutManagedFields(object: Json): Json {
  const metadata = object["metadata"];
  if (typeof metadata !== "object" || metadata === null || !("managedFields" in metadata)) return object;
  const { managedFields: _managedFields, ...rest } = metadata as Json;
  return { ...object, metadata: rest };
}

export function qualifiedResource(kind: string): string {
  const info = kindInfo(kind);
  return info.group ? `${info.singular}.${info.group}` : info.singular;
}

/** The headers of a kind's table. */
export function tableColumns(kind: string, opts: TableOptions): string[] {
  return printerColumns(printerOf(kind), opts);
}

/** One object's cells in its kind's table. */
export function tableRow(kind: string, o: Json, opts: TableOptions): string[] {
  return printerRow(printerOf(kind), o, opts);
}

/** The rows in the order the kind's printer shows them (events by when they last happened). */
export function sortForDisplay(kind: string, items: Json[]): Json[] {
  const compare = printerOf(kind).compare;
  return compare ? [...items].sort(compare) : items;
}
