export { eventually } from "./eventually.js";
export { startTestCluster, repoRoot, examplesDir } from "./test-cluster.js";
export type { TestCluster, TestClusterOptions, CommandResult } from "./test-cluster.js";
export { orGone } from "./or-gone.js";
export { runOnTerminal } from "./terminal.js";
