export { startStack, freePort, profileDir } from "./stack.js";
export type { Stack, StackOptions } from "./stack.js";
export { examplesImageCatalog } from "./image-catalog.js";
export { ServiceProcess } from "./service-process.js";
export type { ServiceSpec, ServiceOptions } from "./service-process.js";
export { kubeconfig, writeKubeconfig } from "./kubeconfig.js";
