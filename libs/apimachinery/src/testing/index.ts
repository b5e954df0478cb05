export { FakeClock } from "./fake-clock.js";
export { eventually } from "./eventually.js";
export type { EventuallyOptions, Pending } from "./eventually.js";
