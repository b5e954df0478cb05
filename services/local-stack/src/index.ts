export { startStack, freePort, profileDir, stackServiceNames, LOCAL_NODES } from "./stack.js";
export { startPrometheus, prometheusConfig, isPrometheusInstalled, PROMETHEUS_INSTALL } from "./prometheus.js";
export type { Stack, StackOptions } from "./stack.js";
export type { Prometheus, PrometheusOptions } from "./prometheus.js";
export { examplesImageCatalog } from "./image-catalog.js";
export { ServiceProcess } from "./service-process.js";
export type { ServiceSpec, ServiceOptions } from "./service-process.js";
export { kubeconfig, writeKubeconfig } from "./kubeconfig.js";
