import { describe, expect, it } from "vitest";
import { ImageCatalog, imageKind, imageName, parseImageAliases, pauseCommand } from "./image-catalog.js";
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
    ["agnhost", "agnhost"],
    ["busybox", "shell"],
    ["debian", "shell"],
    ["alpine", "shell"],
    ["ubuntu", "shell"],
    ["pause", "pause"],
    ["punitporwal07/myapp", undefined],
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
    { name: "a shell image without a command stays up", image: "debian", fields: {}, argv: pauseCommand },
    { name: "pause stays up", image: "registry.k8s.io/pause:3.9", fields: {}, argv: pauseCommand },
    {
      name: "agnhost runs its subcommand",
      image: "registry.k8s.io/e2e-test-images/agnhost:2.45",
      fields: { args: ["netexec", "--http-port=8080"] },
      argv: ["/usr/bin/node", "/opt/capstan/images/agnhost.js", "netexec", "--http-port=8080"],
    },
    {
      name: "agnhost's /agnhost entrypoint is the catalog program",
      image: "agnhost",
      fields: { command: ["/agnhost", "serve-hostname"], args: ["--port", "80"] },
      argv: ["/usr/bin/node", "/opt/capstan/images/agnhost.js", "serve-hostname", "--port", "80"],
    },
  ])("$name", ({ image, fields, argv }) => {
    const container = aContainer("c", image, fields);
    expect(catalog.resolve(container, catalog.find(image)!, at).argv).toEqual(argv);
  });

  it.each(["punitporwal07/myapp:0.1", "org/app", "example.invalid/nope:1", "nginx-unprivileged"])("does not hold %s", (image) => {
    expect(catalog.find(image)).toBeUndefined();
  });

  it("serves nginx on the pod IP at each declared TCP port, 80 by default, with a welcome page", () => {
    const port = (containerPort: number, protocol = "TCP") => ({ name: "", containerPort, hostPort: 0, protocol, hostIp: "" });
    const nginx = catalog.find("nginx:latest")!;
    const withPorts = catalog.resolve(aContainer("web", "nginx:latest", { ports: [port(80), port(8443), port(53, "UDP")] }), nginx, at);
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
    const bare = catalog.resolve(aContainer("web", "nginx", {}), nginx, { podIP: "127.1.0.6", rootPrefix: "/state/c/image" });
    expect(bare.argv.slice(2)).toEqual(["--root", "/state/c/image/usr/share/nginx/html", "--listen", "127.1.0.6:80"]);
  });
});

describe("image aliases", () => {
  const aliases = parseImageAliases(
    JSON.stringify({
      "my-image": { image: "agnhost", args: ["serve-hostname", "--port", "8080"] },
      "example.com/team/shell:1": { image: "busybox", command: ["/bin/sh", "-c"], args: ["echo default"] },
    }),
    "aliases.json",
  );
  const catalog = new ImageCatalog({ nodePath: "/usr/bin/node", programsDir: "/opt/images", aliases });
  const at = { podIP: "127.1.0.5", rootPrefix: "" };

  it.each([
    { name: "the alias's command and args", image: "my-image", fields: {}, argv: ["/usr/bin/node", "/opt/images/agnhost.js", "serve-hostname", "--port", "8080"] },
    { name: "a tag and registry still match", image: "my-image:v2", fields: {}, argv: ["/usr/bin/node", "/opt/images/agnhost.js", "serve-hostname", "--port", "8080"] },
    { name: "the container's args replace the alias's", image: "my-image", fields: { args: ["netexec"] }, argv: ["/usr/bin/node", "/opt/images/agnhost.js", "netexec"] },
    { name: "an alias entrypoint keeps, its args go", image: "example.com/team/shell:2", fields: { args: ["echo mine"] }, argv: ["/bin/sh", "-c", "echo mine"] },
    { name: "a container command replaces both", image: "example.com/team/shell", fields: { command: ["true"] }, argv: ["true"] },
  ])("$name", ({ image, fields, argv }) => {
    const resolved = catalog.resolve(aContainer("c", image, fields), catalog.find(image)!, at);
    expect(resolved.argv).toEqual(argv);
    expect(resolved.imageId).toMatch(/^catalog:\/\/(agnhost|busybox)$/);
  });

  it("lists the aliases among the names a pull can find", () => {
    expect(catalog.names()).toEqual(["nginx", "agnhost", "pause", "busybox", "debian", "alpine", "ubuntu", "my-image", "team/shell"]);
  });

  it.each([
    { name: "not JSON", json: "{", error: "aliases.json: not valid JSON" },
    { name: "not an object", json: "[]", error: "the file must be an object of image names" },
    { name: "an unknown target", json: '{"app": {"image": "org/app"}}', error: 'entry "app" field image: must name a catalog image (nginx, agnhost, pause, busybox' },
    { name: "a missing image", json: '{"app": {"args": []}}', error: 'entry "app" field image: Required' },
    { name: "args that are not strings", json: '{"app": {"image": "agnhost", "args": [8080]}}', error: 'entry "app" field args.0: Expected string, received number' },
    { name: "an unknown field", json: '{"app": {"image": "agnhost", "cmd": []}}', error: "entry \"app\": Unrecognized key(s) in object: 'cmd'" },
  ])("refuses $name", ({ json, error }) => {
    expect(() => parseImageAliases(json, "aliases.json")).toThrow(error);
  });
});
