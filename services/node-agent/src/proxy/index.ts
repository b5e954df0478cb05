export { Proxier, BIND_RETRY_MS } from "./proxier.js";
export type { ProxierOptions } from "./proxier.js";
export { ensureServiceCIDRIsLocal } from "./service-cidr-route.js";
