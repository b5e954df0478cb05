import { describe, expect, it } from "vitest";
import { ImageCatalog, imageKind, imageName, placeholderCommand } from "./image-catalog.js";
import { aContainer } from "./testing.js";

describe("imageName", () => {
  it.each([
    ["nginx", "nginx"],
    ["nginx:latest", "nginx"],
    ["docker.io/library/nginx", "nginx"],
    ["docker.io/library/nginx:1.27@sha256:abcd", "nginx"],
    ["library/debian:bookworm", "debian"],
    ["localhost:5000/busybox:1.36", "busybox"],
    ["afakharany/watcher:latest", "afakharany/watcher"],
    ["ghcr.io/org/app", "org/app"],
    ["Alpine", "alpine"],
  ])("%s → %s", (ref, want) => {
    expect(imageName(ref)).toBe(want);
  });

  it.each([
    ["nginx", "nginx"],
    ["busybox", "shell"],
    ["debian", "shell"],
    ["alpine", "shell"],
    ["ubuntu", "shell"],
    ["punitporwal07/myapp", "other"],
  ])("%s is a %s image", (name, kind) => {
    expect(imageKind(name)).toBe(kind);
  });
});

describe("ImageCatalog.resolve", () => {
  const catalog = new ImageCatalog({ nodePath: "/usr/bin/node", programsDir: "/opt/capstan/images" });
  const at = { podIP: "127.1.0.5", rootPrefix: "" };

  it.each([
    { name: "a command runs with its args", image: "nginx", fields: { command: ["/bin/sh", "-c"], args: ["echo hi"] }, argv: ["/bin/sh", "-c", "echo hi"] },
    { name: "a shell image runs its args", image: "busybox", fields: { args: ["sleep", "5"] }, argv: ["sleep", "5"] },
    { name: "a shell image without a command stays up", image: "debian", fields: {}, argv: placeholderCommand },
    { name: "an unknown image stays up", image: "punitporwal07/myapp:0.1", fields: {}, argv: placeholderCommand },
    { name: "an unknown image ignores args without its entrypoint", image: "org/app", fields: { args: ["--port", "8000"] }, argv: placeholderCommand },
  ])("$name", ({ image, fields, argv }) => {
    expect(catalog.resolve(aContainer("c", image, fields), at).argv).toEqual(argv);
  });

  it("serves nginx on the pod IP at each declared TCP port, 80 by default, with a welcome page", () => {
    const port = (containerPort: number, protocol = "TCP") => ({ name: "", containerPort, hostPort: 0, protocol, hostIp: "" });
    const withPorts = catalog.resolve(aContainer("web", "nginx:latest", { ports: [port(80), port(8443), port(53, "UDP")] }), at);
    expect(withPorts.argv).toEqual([
      "/usr/bin/node",
      "/opt/capstan/images/nginx.js",
      "--root",
      "/usr/share/nginx/html",
      "--listen",
      "127.1.0.5:80",
      "--listen",
      "127.1.0.5:8443",
    ]);
    expect(withPorts.imageId).toBe("catalog://nginx");
    expect(withPorts.files.get("/usr/share/nginx/html/index.html")).toContain("Welcome to nginx!");
    const bare = catalog.resolve(aContainer("web", "nginx", {}), { podIP: "127.1.0.6", rootPrefix: "/state/c/image" });
    expect(bare.argv.slice(2)).toEqual(["--root", "/state/c/image/usr/share/nginx/html", "--listen", "127.1.0.6:80"]);
  });
});
