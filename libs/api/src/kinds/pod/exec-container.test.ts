import { describe, expect, it } from "vitest";
import { podView } from "../../object-view.js";
import { DEFAULT_CONTAINER_ANNOTATION, findOrDefaultContainer } from "./exec-container.js";

function aPod(containers: string[], opts: { init?: string[]; annotation?: string } = {}) {
  return podView({
    metadata: { name: "web", namespace: "default", ...(opts.annotation ? { annotations: { [DEFAULT_CONTAINER_ANNOTATION]: opts.annotation } } : {}) },
    spec: { containers: containers.map((name) => ({ name })), ...(opts.init ? { initContainers: opts.init.map((name) => ({ name })) } : {}) },
  });
}

describe("findOrDefaultContainer", () => {
  it.each([
    { name: "the only container, quietly", pod: aPod(["app"]), requested: "", want: { container: "app" } },
    {
      name: "the first of several, with kubectl's note",
      pod: aPod(["app", "sidecar"]),
      requested: "",
      want: { container: "app", notice: 'Defaulted container "app" out of: app, sidecar' },
    },
    {
      name: "init containers count, marked (init)",
      pod: aPod(["app"], { init: ["setup"] }),
      requested: "",
      want: { container: "app", notice: 'Defaulted container "app" out of: app, setup (init)' },
    },
    { name: "the annotation's container, quietly", pod: aPod(["app", "sidecar"], { annotation: "sidecar" }), requested: "", want: { container: "sidecar" } },
    {
      name: "an annotation naming no container falls back to the first",
      pod: aPod(["app", "sidecar"], { annotation: "gone" }),
      requested: "",
      want: { container: "app", notice: 'Defaulted container "app" out of: app, sidecar' },
    },
    { name: "a named container", pod: aPod(["app", "sidecar"]), requested: "sidecar", want: { container: "sidecar" } },
    { name: "a named init container", pod: aPod(["app"], { init: ["setup"] }), requested: "setup", want: { container: "setup" } },
    { name: "a name the pod lacks", pod: aPod(["app"]), requested: "db", want: { error: "container db not found in pod web" } },
    { name: "a pod without containers", pod: aPod([]), requested: "", want: { error: "pod default/web does not have any containers" } },
  ])("$name", ({ pod, requested, want }) => {
    expect(findOrDefaultContainer(pod, requested)).toEqual(want);
  });
});
