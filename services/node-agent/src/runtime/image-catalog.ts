import type { Container } from "@capstan/api";
import { existsSync, readFileSync, realpathSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { z } from "zod";

/**
 * The local image catalog, the process runtime's only image store: there is no registry and no image
 * layer, an image name only decides what the container runs. It holds, for tests and the examples:
 * `nginx`, a small static HTTP server (images/nginx.ts); `agnhost`, Kubernetes' e2e test server
 * (images/agnhost.ts), both run by the agent's own node; `pause` (registry.k8s.io/pause), which stays up
 * until SIGTERM; and `busybox`, `debian`, `alpine` and `ubuntu`, which run their command with the host's
 * POSIX shell and tools (without one, they stay up as `pause`). Image aliases (CAPSTAN_IMAGE_CATALOG) map
 * more names onto these, like a local registry mirror. Any other image is not here and cannot be pulled:
 * its container waits in ErrImagePull and ImagePullBackOff (see image-puller.ts), never runs.
 */
export type ImageKind = "nginx" | "agnhost" | "pause" | "shell";

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

/** What a catalog image is, or undefined for an image the catalog does not hold. */
export function imageKind(name: string): ImageKind | undefined {
  if (name === "nginx") return "nginx";
  // Kubernetes publishes it as registry.k8s.io/e2e-test-images/agnhost.
  if (name === "agnhost" || name === "e2e-test-images/agnhost") return "agnhost";
  if (name === "pause") return "pause";
  return shellImages.has(name) ? "shell" : undefined;
}

export const catalogImages = ["nginx", "agnhost", "pause", ...shellImages];

const imageAliasSchema = z
  .object({
    image: z.string().refine((ref) => imageKind(imageName(ref)) !== undefined, {
      message: `must name a catalog image (${catalogImages.join(", ")})`,
    }),
    command: z.array(z.string()).optional(),
    args: z.array(z.string()).optional(),
  })
  .strict();

/** Another name for a catalog image, with the ENTRYPOINT (`command`) and CMD (`args`) that image would have. */
export type ImageAlias = z.infer<typeof imageAliasSchema>;

const imageAliasesSchema = z.record(z.string().min(1, "the image name must not be empty"), imageAliasSchema);

/**
 * Parses an image alias file, `{"<image>": {"image": "<catalog image>", "command": [...], "args": [...]}}`.
 * Throws one error naming every bad entry, its field and the rule it breaks.
 */
export function parseImageAliases(json: string, source: string): Map<string, ImageAlias> {
  let raw: unknown;
  try {
    raw = JSON.parse(json);
  } catch (e) {
    throw new Error(`${source}: not valid JSON: ${e instanceof Error ? e.message : String(e)}`);
  }
  const parsed = imageAliasesSchema.safeParse(raw);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => {
      const [entry, ...field] = issue.path;
      if (entry === undefined) return `the file must be an object of image names (${issue.message})`;
      return `entry "${String(entry)}"${field.length > 0 ? ` field ${field.join(".")}` : ""}: ${issue.message}`;
    });
    throw new Error(`${source}: ${problems.join("; ")}`);
  }
  return new Map(Object.entries(parsed.data).map(([name, alias]) => [imageName(name), alias]));
}

export function loadImageAliases(path: string): Map<string, ImageAlias> {
  return parseImageAliases(readFileSync(path, "utf8"), path);
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

/** The pause image's program: stays up, doing nothing, until SIGTERM; then exits 0. */
export const pauseCommand = ["/bin/sh", "-c", "trap 'exit 0' TERM INT; while :; do sleep 3600 & wait $!; done"];

/** An image the catalog holds, as a pull finds it. */
export interface CatalogImage {
  /** The catalog name (`nginx`), reported as the container's imageID `catalog://nginx`. */
  name: string;
  kind: ImageKind;
  imageId: string;
  /** The alias the container's image name matched, if it did. */
  alias: ImageAlias | undefined;
}

export interface ResolvedImage extends CatalogImage {
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
  /** More image names for catalog images (see loadImageAliases). */
  aliases?: ReadonlyMap<string, ImageAlias>;
}

export class ImageCatalog {
  readonly nodePath: string;
  readonly programsDir: string;
  private readonly aliases: ReadonlyMap<string, ImageAlias>;

  constructor(opts: ImageCatalogOptions = {}) {
    this.nodePath = opts.nodePath ?? process.execPath;
    this.aliases = opts.aliases ?? new Map();
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

  /** The catalog image `ref` names, directly or through an alias; undefined when the catalog does not hold it. */
  find(ref: string): CatalogImage | undefined {
    const alias = this.aliases.get(imageName(ref));
    const name = imageName(alias?.image ?? ref);
    const kind = imageKind(name);
    return kind && { name, kind, imageId: `catalog://${name}`, alias };
  }

  /** The names a pull can find: the catalog's images, then the aliases. */
  names(): string[] {
    return [...catalogImages, ...this.aliases.keys()];
  }

  /** What `container` runs from `image` (found by `find`). */
  resolve(container: Container, image: CatalogImage, opts: ResolveOptions): ResolvedImage {
    const { alias, kind } = image;
    // Kubernetes' rule for an image's ENTRYPOINT and CMD: a command replaces both, args replace only CMD.
    const command = container.command.length > 0 ? container.command : (alias?.command ?? []);
    const args = container.command.length > 0 || container.args.length > 0 ? container.args : (alias?.args ?? []);
    const agnhost = [this.nodePath, join(this.programsDir, "agnhost.js")];
    if (command.length > 0) {
      // The real image's entrypoint is /agnhost; here it is the catalog program.
      const argv = kind === "agnhost" && basename(command[0]!) === "agnhost" ? [...agnhost, ...command.slice(1)] : command;
      return { ...image, argv: [...argv, ...args], files: new Map() };
    }
    switch (kind) {
      case "nginx": {
        const root = opts.rootPrefix + nginxHtmlDir;
        const ports = container.ports
          .filter((p) => p.protocol === "" || p.protocol.toUpperCase() === "TCP")
          .map((p) => p.containerPort);
        const listen = (ports.length > 0 ? ports : [80]).flatMap((port) => ["--listen", `${opts.podIP}:${port}`]);
        return {
          ...image,
          argv: [this.nodePath, join(this.programsDir, "nginx.js"), "--root", root, ...listen],
          files: new Map([[`${nginxHtmlDir}/index.html`, welcomePage]]),
        };
      }
      case "agnhost":
        return { ...image, argv: [...agnhost, ...args], files: new Map() };
      case "pause":
        return { ...image, argv: pauseCommand, files: new Map() };
      case "shell":
        // No entrypoint: args replace the default command.
        return { ...image, argv: args.length > 0 ? [...args] : pauseCommand, files: new Map() };
    }
  }
}
