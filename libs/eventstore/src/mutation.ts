import type { Decide, ObjectKey } from "@capstan/apimachinery";

export type { Decide, Decision, ReadRecord, RelatedWrite } from "@capstan/apimachinery";

export interface Mutation {
  key: ObjectKey;
  /** A pure function: it runs again if another writer commits between the batch's read and its write. */
  decide: Decide;
  /** Other objects decide needs (a namespace that must exist, say), read in the same snapshot. */
  reads?: readonly ObjectKey[];
  actor: string;
  traceparent?: string;
  tracestate?: string;
}
