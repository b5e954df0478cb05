export { aPod, aNode, PodBuilder, NodeBuilder } from "./builders.js";
export { kubernetesExamples } from "./kubernetes-examples.js";
