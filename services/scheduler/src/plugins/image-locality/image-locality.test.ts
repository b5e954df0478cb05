import { describe, expect, it } from "vitest";
import { CycleState } from "../../framework/cycle-state.js";
import { normalizedImageName } from "../../framework/node-info.js";
import { aNode, aPod } from "../../testing/builders.js";
import { ImageLocality, calculatePriority, MAX_CONTAINER_THRESHOLD, MIN_THRESHOLD } from "./image-locality.js";

const MB = 1024 * 1024;

describe("normalizedImageName", () => {
  it.each([
    ["nginx", "nginx:latest"],
    ["nginx:1.25", "nginx:1.25"],
    ["registry:5000/app", "registry:5000/app:latest"],
    ["app@sha256:abc", "app@sha256:abc"],
  ])("%s", (name, want) => expect(normalizedImageName(name)).toBe(want));
});

describe("calculatePriority", () => {
  it.each([
    ["below the minimum threshold", 10 * MB, 1, 0],
    ["at the maximum", MAX_CONTAINER_THRESHOLD, 1, 100],
    ["above the maximum", 5 * MAX_CONTAINER_THRESHOLD, 1, 100],
    ["halfway", (MIN_THRESHOLD + MAX_CONTAINER_THRESHOLD) / 2, 1, 50],
    ["the maximum grows with containers: 977/1977", MAX_CONTAINER_THRESHOLD, 2, 49],
  ])("%s", (_name, sum, containers, want) => expect(calculatePriority(sum, containers)).toBe(want));
});

describe("ImageLocality.score", () => {
  it("scores the image's size, scaled by the share of nodes that have it", () => {
    // Kubernetes' documented example shape: a 500MB image on one of two nodes counts 250MB.
    const node = aNode("a").image(500 * MB, "docker.io/app:1").build();
    node.node.images.get("docker.io/app:1")!.numNodes = 1;
    const plugin = new ImageLocality(() => 2);
    const score = plugin.score(new CycleState(), aPod().image("docker.io/app:1").build(), node);
    expect(score).toBe(calculatePriority(250 * MB, 1));
    expect(plugin.score(new CycleState(), aPod().image("other:1").build(), node)).toBe(0);
  });

  it("matches an untagged image to :latest", () => {
    const node = aNode("a").image(2000 * MB, "nginx:latest").build();
    node.node.images.get("nginx:latest")!.numNodes = 1;
    expect(new ImageLocality(() => 1).score(new CycleState(), aPod().image("nginx").build(), node)).toBe(100);
  });
});
