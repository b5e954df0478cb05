/**
 * meta.k8s.io/v1 Table answers (`Accept: application/json;as=Table;v=v1;g=meta.k8s.io`): the columns
 * capctl prints for the kind, from the same printers, the wide ones at priority 1 for `-o wide`.
 */
import { printerOf } from "@capstan/api";
import type { JsonObject } from "@capstan/apimachinery";
import { badRequest } from "./status.js";

export type IncludeObject = "None" | "Metadata" | "Object";

/** Whether the Accept header asks for a Table (kubectl's `get` does; `-o yaml` does not). */
export function wantsTable(accept: string | undefined): boolean {
  return (accept ?? "").split(",").some((part) => {
    const params = part.split(";").map((p) => p.trim());
    return params.includes("as=Table") && params.includes("g=meta.k8s.io") && params.includes("v=v1");
  });
}

export function includeObjectOf(raw: string | null): IncludeObject {
  if (raw === null || raw === "") return "Metadata";
  if (raw === "None" || raw === "Metadata" || raw === "Object") return raw;
  throw badRequest(`includeObject: Unsupported value "${raw}": supported values: "None", "Metadata", "Object"`);
}

/** The table of some objects of one kind; `list` is the list's metadata (resourceVersion, continue). */
export function toTable(kind: string, objects: readonly JsonObject[], includeObject: IncludeObject, list: JsonObject, now = Date.now()): JsonObject {
  const printer = printerOf(kind);
  const column = (priority: number) => (name: string, i: number) => ({
    name,
    type: "string",
    format: priority === 0 && i === 0 && name === "NAME" ? "name" : "",
    description: "",
    priority,
  });
  const ordered = printer.compare ? [...objects].sort(printer.compare) : objects;
  return {
    kind: "Table",
    apiVersion: "meta.k8s.io/v1",
    metadata: list,
    columnDefinitions: [...printer.headers.map(column(0)), ...(printer.wideHeaders ?? []).map(column(1))],
    rows: ordered.map((o) => ({
      cells: [...printer.row(o, now), ...(printer.wide?.(o, now) ?? [])],
      ...(includeObject === "None" ? {} : { object: includeObject === "Object" ? o : partialObjectMetadata(o) }),
    })),
  };
}

function partialObjectMetadata(o: JsonObject): JsonObject {
  return { kind: "PartialObjectMetadata", apiVersion: "meta.k8s.io/v1", metadata: o["metadata"] ?? {} };
}
