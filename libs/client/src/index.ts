export { createClient } from "./gateway-client.js";
export type { ClientOptions } from "./gateway-client.js";
export type { CapstanClient, ExecCall, Stream } from "./capstan-client.js";
export type { JsonObject, Reflector, ReflectorEvent, ReflectorHandler } from "./list-watch.js";
export { EventRecorder } from "./event-recorder.js";
export type { EventSource } from "./event-recorder.js";
