export { FakeClock, eventually } from "@capstan/apimachinery/testing";
export { FakeListWatch } from "./fake-list-watch.js";
export { syncedInformer } from "./synced-informer.js";
