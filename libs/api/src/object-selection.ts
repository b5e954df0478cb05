import { parseFieldSelector, parseSelector, type JsonObject } from "@capstan/apimachinery";
import type { Object as ApiObject } from "./gen/capstan/v1/gateway.js";
import { kindInfo, selectableFieldValue, storedToApiObject, type KindName } from "./kinds.js";

/**
 * The objects a List or Watch selects: its label and field selectors, and the equalities a store or a
 * stream can filter on before anything is decoded.
 */
export interface ObjectSelection {
  /** Labels are checked on the stored JSON, so objects they exclude are never decoded. */
  readonly matchesLabels: (o: JsonObject) => boolean;
  /** Fields are those the kind's strategy lists, read from the typed object. */
  readonly matchesFields: (o: ApiObject) => boolean;
  readonly nodeName?: string;
  readonly name?: string;
}

export function objectSelection(kind: KindName, labelSelector: string, fieldSelector: string): ObjectSelection {
  const labels = parseSelector(labelSelector);
  const fields = parseFieldSelector(fieldSelector, kindInfo(kind).selectableFields);
  const equal = (field: string) => fields.requirements.find((f) => f.field === field && f.op === "=")?.value;
  const nodeName = equal("spec.nodeName");
  const name = equal("metadata.name");
  return {
    matchesLabels: (o) => labels.isEmpty() || labels.matches(labelsOf(o)),
    matchesFields: (o) => fields.isEmpty() || fields.matchesFields((field) => selectableFieldValue(o, field)),
    ...(nodeName !== undefined ? { nodeName } : {}),
    ...(name !== undefined ? { name } : {}),
  };
}

/** The stored object as the API answers it, or undefined when the selection leaves it out. */
export function selected(selection: ObjectSelection, stored: JsonObject): ApiObject | undefined {
  if (!selection.matchesLabels(stored)) return undefined;
  const object = storedToApiObject(stored);
  return selection.matchesFields(object) ? object : undefined;
}

function labelsOf(o: JsonObject): Record<string, string> | undefined {
  const metadata = o["metadata"];
  if (!metadata || typeof metadata !== "object") return undefined;
  return (metadata as { labels?: Record<string, string> }).labels;
}
