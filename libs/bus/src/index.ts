export { JetStreamBus, connectNats } from "./jetstream-bus.js";
export type { BusOptions, EventSubscription, StreamBounds } from "./jetstream-bus.js";
export { encodeBusEvent, decodeBusEvent } from "./bus-event.js";
export type { BusEvent, BusEventType } from "./bus-event.js";
export { eventSubject, eventFilterSubject, streamName } from "./subjects.js";
export type { SubjectFilter } from "./subjects.js";
export { NodeLeases, decodeNodeLease, nodeLeaseBucketName } from "./node-leases.js";
export type { NodeLeaseRecord, NodeLeaseWatch } from "./node-leases.js";
