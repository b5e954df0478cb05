export { ObjectBuilder, AnyObjectBuilder, anObject, TERMINATING_SINCE } from "./object-builder.js";
export type { JsonObject, OwnerOptions } from "./object-builder.js";
export { PodBuilder, aPod } from "./pod-builder.js";
export { NodeBuilder, aNode } from "./node-builder.js";
export { ReplicaSetBuilder, DeploymentBuilder, aReplicaSet, aReplicationController, aDeployment } from "./workload-builders.js";
export { ServiceBuilder, aService } from "./service-builder.js";
export { kubernetesExamples } from "./kubernetes-examples.js";
