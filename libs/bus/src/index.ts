export { JetStreamBus, connectNats, EVENT_ENVELOPE_BYTES } from "./jetstream-bus.js";
export type { BusOptions, EventSubscription, PublishResult, StreamBounds } from "./jetstream-bus.js";
export { encodeBusEvent, decodeBusEvent, objectReference } from "./bus-event.js";
export type { BusEvent, BusEventType } from "./bus-event.js";
export { eventSubject, eventFilterSubject, streamName } from "./subjects.js";
export type { SubjectFilter } from "./subjects.js";
export { NodeLeases, decodeNodeLease, nodeLeaseBucketName } from "./node-leases.js";
export type { NodeLeaseRecord, NodeLeaseWatch } from "./node-leases.js";
