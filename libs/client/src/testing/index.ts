export { FakeGateway, createFakeGateway } from "./fake-gateway.js";
export type { FakeGatewayOptions, ListWatchOptions } from "./fake-gateway.js";
