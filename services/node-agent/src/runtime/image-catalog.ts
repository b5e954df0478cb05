import type { Container } from "@capstan/api";
import { existsSync, realpathSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

/**
 * The local image catalog: there is no registry and no image layer, an image name only decides what the
 * container runs. `nginx` is a small static HTTP server (images/nginx.ts) run by the agent's own node;
 * `busybox`, `debian`, `alpine` and `ubuntu` run their command with the host's POSIX shell and tools;
 * any other image runs its command, or without one a placeholder that stays up until SIGTERM.
 */
export type ImageKind = "nginx" | "shell" | "other";

const shellImages = new Set(["busybox", "debian", "alpine", "ubuntu"]);

/** `docker.io/library/nginx:1.27@sha256:…` → `nginx`; `ghcr.io/org/app:1` → `org/app`. */
export function imageName(ref: string): string {
  let name = ref.trim().toLowerCase();
  const at = name.indexOf("@");
  if (at !== -1) name = name.slice(0, at);
  const colon = name.lastIndexOf(":");
  if (colon > name.lastIndexOf("/")) name = name.slice(0, colon);
  const slash = name.indexOf("/");
  if (slash !== -1) {
    const first = name.slice(0, slash);
    if (first.includes(".") || first.includes(":") || first === "localhost") name = name.slice(slash + 1);
  }
  if (name.startsWith("library/")) name = name.slice("library/".length);
  return name;
}

export function imageKind(name: string): ImageKind {
  if (name === "nginx") return "nginx";
  return shellImages.has(name) ? "shell" : "other";
}

/** Where the nginx image serves from, inside the container. */
export const nginxHtmlDir = "/usr/share/nginx/html";

const welcomePage = `<!DOCTYPE html>
<html>
<head><title>Welcome to nginx!</title></head>
<body>
<h1>Welcome to nginx!</h1>
<p>If you see this page, the nginx web server is successfully installed and working.</p>
<p><em>Served by the Capstan process runtime.</em></p>
</body>
</html>
`;

/** Stays up, doing nothing, until SIGTERM; then exits 0 like a well-behaved pause container. */
export const placeholderCommand = ["/bin/sh", "-c", "trap 'exit 0' TERM INT; while :; do sleep 3600 & wait $!; done"];

export interface ResolvedImage {
  /** The catalog name (`nginx`), reported as the container's imageID `catalog://nginx`. */
  name: string;
  kind: ImageKind;
  imageId: string;
  /** What the container executes (argv[0] resolved through the container's PATH). */
  argv: string[];
  /** Files the image provides, as paths inside the container → content; placed under `rootPrefix`. */
  files: ReadonlyMap<string, string>;
}

export interface ResolveOptions {
  podIP: string;
  /** Where the container's `/` is on the host: "" in a sandbox, a directory without one. */
  rootPrefix: string;
}

export interface ImageCatalogOptions {
  /** The node binary that runs catalog programs; default the agent's own. */
  nodePath?: string;
  /** Directory with the compiled catalog programs (nginx.js); default the package's dist/images. */
  programsDir?: string;
}

export class ImageCatalog {
  readonly nodePath: string;
  readonly programsDir: string;

  constructor(opts: ImageCatalogOptions = {}) {
    this.nodePath = opts.nodePath ?? process.execPath;
    // src/runtime and dist/runtime are both two levels below the package root.
    this.programsDir = opts.programsDir ?? fileURLToPath(new URL("../../dist/images/", import.meta.url));
  }

  /**
   * Host directories a catalog program needs to see inside a container: the node binary's, and the
   * package holding the programs (its package.json makes them ES modules).
   */
  hostPaths(): string[] {
    const paths = [dirname(realpathSync(this.nodePath))];
    let dir = this.programsDir;
    while (!existsSync(join(dir, "package.json")) && dirname(dir) !== dir) dir = dirname(dir);
    paths.push(existsSync(join(dir, "package.json")) ? dir : this.programsDir);
    return paths;
  }

  resolve(container: Container, opts: ResolveOptions): ResolvedImage {
    const name = imageName(container.image);
    const kind = imageKind(name);
    const base = { name, kind, imageId: `catalog://${name}` };
    if (container.command.length > 0) {
      return { ...base, argv: [...container.command, ...container.args], files: new Map() };
    }
    switch (kind) {
      case "nginx": {
        const root = opts.rootPrefix + nginxHtmlDir;
        const ports = container.ports
          .filter((p) => p.protocol === "" || p.protocol.toUpperCase() === "TCP")
          .map((p) => p.containerPort);
        const listen = (ports.length > 0 ? ports : [80]).flatMap((port) => ["--listen", `${opts.podIP}:${port}`]);
        return {
          ...base,
          argv: [this.nodePath, join(this.programsDir, "nginx.js"), "--root", root, ...listen],
          files: new Map([[`${nginxHtmlDir}/index.html`, welcomePage]]),
        };
      }
      case "shell":
        // No entrypoint: args replace the default command.
        return { ...base, argv: container.args.length > 0 ? [...container.args] : placeholderCommand, files: new Map() };
      case "other":
        // The real entrypoint is unknown, so args alone have nothing to run with.
        return { ...base, argv: placeholderCommand, files: new Map() };
    }
  }
}
