import { afterEach, describe, expect, it, vi } from "vitest";
import { aWebDeployment } from "../testing/builders.js";
import { createFakeGateway } from "@capstan/client/testing";
import { parseSetImageArgs, setImage, setImages } from "./set-image.js";

afterEach(() => vi.restoreAllMocks());

type Json = Record<string, any>;
const imagesOf = (d: Json) => d["spec"]["template"]["spec"]["containers"].map((c: Json) => `${c["name"]}=${c["image"]}`);

describe("parseSetImageArgs", () => {
  it("takes resources, then container=image pairs", () => {
    const { targets, images } = parseSetImageArgs(["deployment/web", "rs/web-1", "web=nginx:1.28", "log=busybox:1.36"]);
    expect(targets).toEqual([{ kind: "Deployment", name: "web" }, { kind: "ReplicaSet", name: "web-1" }]);
    expect([...images]).toEqual([["web", "nginx:1.28"], ["log", "busybox:1.36"]]);
  });

  it.each([
    { name: "no image", args: ["deployment/web"], error: "at least one image update is required" },
    { name: "no resource", args: ["web=nginx"], error: "one or more resources must be specified as <resource> <name> or <resource>/<name>" },
    { name: "a type without a name", args: ["deployment", "web=nginx"], error: "one or more resources must be specified" },
    { name: "* with another pair", args: ["deployment/web", "*=nginx", "web=nginx"], error: "all containers are already specified by *" },
    { name: "a kind without containers", args: ["node/n1", "web=nginx"], error: "nodes have no containers to set images on" },
    { name: "a malformed pair", args: ["deployment/web", "web=nginx", "sidecar-"], error: "invalid image format: sidecar-" },
  ])("refuses $name", ({ args, error }) => {
    expect(() => parseSetImageArgs(args)).toThrow(error);
  });
});

describe("setImages", () => {
  it.each([
    { name: "one container", images: { web: "nginx:1.28" }, want: ["web=nginx:1.28", "log=busybox"] },
    { name: "two containers", images: { web: "nginx:1.28", log: "busybox:1.36" }, want: ["web=nginx:1.28", "log=busybox:1.36"] },
    { name: "every container with *", images: { "*": "alpine" }, want: ["web=alpine", "log=alpine"] },
  ])("sets $name in a template", ({ images, want }) => {
    const d = aWebDeployment();
    setImages("Deployment", d, new Map(Object.entries(images)));
    expect(imagesOf(d)).toEqual(want);
  });

  it("sets a pod's own containers", () => {
    const pod: Json = { kind: "Pod", spec: { containers: [{ name: "app", image: "a:1" }] } };
    setImages("Pod", pod, new Map([["app", "a:2"]]));
    expect(pod["spec"]["containers"][0]["image"]).toBe("a:2");
  });

  it("names the container it cannot find", () => {
    expect(() => setImages("Deployment", aWebDeployment(), new Map([["web", "x"], ["sidecar", "y"]]))).toThrow('unable to find container named "sidecar"');
  });
});

describe("setImage", () => {
  it("updates the template and prints kubectl's line; an unchanged image prints nothing", async () => {
    const log = vi.spyOn(console, "log").mockImplementation(() => undefined);
    const gw = await createFakeGateway();
    await gw.apply(aWebDeployment());
    const revision = gw.revision;
    await setImage(gw, ["deployment", "web", "web=nginx:1.28"], "default");
    await setImage(gw, ["deployment", "web", "web=nginx:1.28"], "default");
    expect(imagesOf(gw.stored("Deployment", "web")!)).toEqual(["web=nginx:1.28", "log=busybox"]);
    expect(log.mock.calls.map((c) => c[0])).toEqual(["deployment.apps/web image updated"]);
    expect(gw.revision - revision, "one update").toBe(1);
  });
});
