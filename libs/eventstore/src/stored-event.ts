export type { EventType, JsonObject, StoredEvent, Verb } from "@capstan/apimachinery";
