export { aPod, aNode, PodBuilder, NodeBuilder } from "./builders.js";
