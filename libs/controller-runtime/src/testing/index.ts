export { FakeClock } from "./fake-clock.js";
export { FakeListWatch } from "./fake-list-watch.js";
export { eventually } from "./eventually.js";
