export { FakeClock } from "@capstan/apimachinery/testing";
export { FakeListWatch } from "./fake-list-watch.js";
export { eventually } from "./eventually.js";
