export type { Decide, Decision, Mutation, ReadRecord, RelatedWrite } from "@capstan/apimachinery";
