import { StateKey, type CycleState } from "../../framework/cycle-state.js";
import { MAX_NODE_SCORE, type PreScorePlugin, type ScorePlugin } from "../../framework/interface.js";
import { normalizedImageName, type NodeInfo } from "../../framework/node-info.js";
import type { PodInfo } from "../../framework/pod-info.js";
import { SUCCESS, type Status } from "../../framework/status.js";

export const NAME = "ImageLocality";

const MB = 1024 * 1024;
/** Below this, an image is cheap to pull anyway; above the max, more bytes do not matter more. */
export const MIN_THRESHOLD = 23 * MB;
export const MAX_CONTAINER_THRESHOLD = 1000 * MB;

/** The pod's image names, normalized once per attempt instead of once per node. */
const normalizedImages = new StateKey<readonly string[]>(`PreScore${NAME}`);

/**
 * Favors nodes that already have the pod's images, by their size, scaled by how many nodes have each
 * image (an image on every node says little about this one).
 */
export class ImageLocality implements PreScorePlugin, ScorePlugin {
  readonly name = NAME;

  constructor(private readonly totalNodes: () => number) {}

  preScore(state: CycleState, pod: PodInfo): Status {
    state.write(normalizedImages, pod.images.map(normalizedImageName));
    return SUCCESS;
  }

  score(state: CycleState, pod: PodInfo, node: NodeInfo): number {
    const images = state.read(normalizedImages) ?? pod.images.map(normalizedImageName);
    return calculatePriority(sumImageScores(images, node, this.totalNodes()), pod.images.length);
  }
}

/** `images` normalized (normalizedImageName). */
export function sumImageScores(images: readonly string[], node: NodeInfo, totalNodes: number): number {
  let sum = 0;
  for (const image of images) {
    const state = node.node.images.get(image);
    if (state && totalNodes > 0) sum += Math.trunc((state.sizeBytes * state.numNodes) / totalNodes);
  }
  return sum;
}

export function calculatePriority(sumScores: number, numContainers: number): number {
  const maxThreshold = MAX_CONTAINER_THRESHOLD * numContainers;
  if (maxThreshold <= MIN_THRESHOLD) return 0;
  const clamped = Math.min(Math.max(sumScores, MIN_THRESHOLD), maxThreshold);
  return Math.floor((MAX_NODE_SCORE * (clamped - MIN_THRESHOLD)) / (maxThreshold - MIN_THRESHOLD));
}

export const createImageLocality = (totalNodes: () => number): ImageLocality => new ImageLocality(totalNodes);
