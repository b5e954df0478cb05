export { Proxier, BIND_RETRY_MS } from "./proxier.js";
export type { ProxierOptions } from "./proxier.js";
export { ensureServiceCIDRIsLocal, holdServiceCIDRRoute } from "./service-cidr-route.js";
export type { ServiceCIDRRoute, ServiceCIDRRouteOptions } from "./service-cidr-route.js";
