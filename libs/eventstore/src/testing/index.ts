export { createTestDatabase } from "./test-database.js";
export type { TestDatabase } from "./test-database.js";
export { InMemoryEventStore, createInMemoryEventStore } from "./in-memory-event-store.js";
export type { EventListener, InMemoryEventStoreOptions } from "./in-memory-event-store.js";
