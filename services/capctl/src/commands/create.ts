/**
 * kubectl create configmap and kubectl create secret generic: an object built from literals and files
 * (kubectl's create_configmap.go and create_secret.go, with their flags, checks and messages); and
 * kubectl create job --from=cronjob/NAME (create-job.ts); the namespace, deployment and service
 * generators (create-generators.ts), all registered here.
 */
import { readdirSync, readFileSync, statSync } from "node:fs";
import { basename, join } from "node:path";
import { Command } from "commander";
import { stringify } from "yaml";
import { fromApiObject, toApiObject, validateConfigMapKey, metaOf } from "@capstan/api";
import type { CapstanClient } from "@capstan/client";
import { namespaceOf, type GlobalOptions } from "../context.js";
import { integer } from "../flags.js";
import type { Json } from "../printers.js";
import { checkWrittenOutput, printWritten } from "../written-object.js";
import { createJobFrom } from "./create-job.js";
import { deploymentFrom, namespaceFrom, serviceFrom, type CreatedServiceType } from "./create-generators.js";

export type CreateClient = Pick<CapstanClient, "create">;

/** What both commands take: `--from-literal key=value` and `--from-file [key=]path`, each repeatable. */
export interface DataSources {
  readonly fromLiteral?: readonly string[];
  readonly fromFile?: readonly string[];
}

export interface CreateOptions {
  /** Where the object is created. */
  readonly namespace: string;
  /** Whether -n gave it: only then does a dry run print it, as kubectl. */
  readonly namespaceGiven?: boolean;
  /** "none" (create it) or "client" (print it only). */
  readonly dryRun?: string;
  readonly output?: string;
}

/** ParseLiteralSource: `key=value`, split at the first `=` so values may hold more. */
function parseLiteral(source: string): [key: string, value: string] {
  const at = source.indexOf("=");
  if (at <= 0) throw new Error(`invalid literal source ${source}, expected key=value`);
  return [source.slice(0, at), source.slice(at + 1)];
}

/** ParseFileSource: `path` (keyed by its base name) or `key=path`. */
function parseFileSource(source: string): [key: string, path: string] {
  const separators = source.split("=").length - 1;
  if (separators === 0) return [basename(source), source];
  if (separators > 1) throw new Error("key names or file paths cannot contain '='");
  const [key = "", path = ""] = source.split("=");
  if (key === "") throw new Error(`key name for file path ${path} missing`);
  if (path === "") throw new Error(`file path for key name ${key} missing`);
  return [key, path];
}

/** Each file a `--from-file` names, with its key: the file itself, or each regular file of a folder. */
function filesOf(source: string): Array<[key: string, path: string]> {
  const [key, path] = parseFileSource(source);
  let isDirectory: boolean;
  try {
    isDirectory = statSync(path).isDirectory();
  } catch (e) {
    throw new Error(`error reading ${path}: ${reason(e)}`, { cause: e });
  }
  if (!isDirectory) return [[key, path]];
  if (source.includes("=")) throw new Error("cannot give a key name for a directory path");
  return readdirSync(path, { withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry): [string, string] => [entry.name, join(path, entry.name)])
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
}

/** A file system error as Go's PathError.Err prints it: `no such file or directory`. */
function reason(e: unknown): string {
  const code = (e as NodeJS.ErrnoException).code;
  if (code === "ENOENT") return "no such file or directory";
  if (code === "EACCES") return "permission denied";
  return e instanceof Error ? e.message : String(e);
}

function isUtf8(bytes: Buffer): boolean {
  try {
    new TextDecoder("utf-8", { fatal: true }).decode(bytes);
    return true;
  } catch {
    return false;
  }
}

/**
 * The ConfigMap kubectl create configmap builds: files first, then literals; a file that is not UTF-8
 * goes to binaryData. A key twice, or a key that is not a valid config key, is refused.
 */
export function configMapFrom(name: string, sources: DataSources): Json {
  const data: Record<string, string> = {};
  const binaryData: Record<string, string> = {};
  const add = (key: string, value: string | Buffer) => {
    const errs = validateConfigMapKey(key);
    if (errs.length > 0) throw new Error(`${JSON.stringify(key)} is not a valid key name for a ConfigMap: ${errs.join(",")}`);
    if (Object.hasOwn(data, key)) throw new Error(`cannot add key ${JSON.stringify(key)}, another key by that name already exists in Data for ConfigMap ${JSON.stringify(name)}`);
    if (Object.hasOwn(binaryData, key)) {
      throw new Error(`cannot add key ${JSON.stringify(key)}, another key by that name already exists in BinaryData for ConfigMap ${JSON.stringify(name)}`);
    }
    if (typeof value === "string") data[key] = value;
    else if (isUtf8(value)) data[key] = value.toString("utf8");
    else binaryData[key] = value.toString("base64");
  };
  for (const source of sources.fromFile ?? []) for (const [key, path] of filesOf(source)) add(key, readFileSync(path));
  for (const source of sources.fromLiteral ?? []) add(...parseLiteral(source));
  return {
    apiVersion: "v1",
    kind: "ConfigMap",
    metadata: { name },
    ...(Object.keys(data).length > 0 ? { data } : {}),
    ...(Object.keys(binaryData).length > 0 ? { binaryData } : {}),
  };
}

/** The Secret kubectl create secret generic builds: literals first, then files, each value base64 in data. */
export function secretFrom(name: string, sources: DataSources & { readonly type?: string }): Json {
  const data: Record<string, string> = {};
  const add = (key: string, value: Buffer) => {
    const errs = validateConfigMapKey(key);
    if (errs.length > 0) throw new Error(`${JSON.stringify(key)} is not valid key name for a Secret ${errs.join(";")}`);
    if (Object.hasOwn(data, key)) throw new Error(`cannot add key ${key}, another key by that name already exists`);
    data[key] = value.toString("base64");
  };
  for (const source of sources.fromLiteral ?? []) {
    const [key, value] = parseLiteral(source);
    add(key, Buffer.from(value, "utf8"));
  }
  for (const source of sources.fromFile ?? []) for (const [key, path] of filesOf(source)) add(key, readFileSync(path));
  return {
    apiVersion: "v1",
    kind: "Secret",
    metadata: { name },
    ...(Object.keys(data).length > 0 ? { data } : {}),
    ...(sources.type ? { type: sources.type } : {}),
  };
}

/** Creates the object (or, with --dry-run=client, only checks and prints it). */
async function createObject(client: CreateClient, resource: string, object: Json, opts: CreateOptions): Promise<void> {
  checkWrittenOutput(opts.output);
  const dryRun = opts.dryRun ?? "none";
  if (dryRun !== "none" && dryRun !== "client") {
    throw new Error(dryRun === "server" ? "--dry-run=server is not supported; use --dry-run=client" : `Invalid dry-run value (${dryRun}). Must be "none", "server", or "client".`);
  }
  if (dryRun === "client") {
    const shown = opts.namespaceGiven ? { ...object, metadata: { ...metaOf(object).json, namespace: opts.namespace } } : object;
    // Decoding checks it as the gateway would read it, so a dry run fails where a create would.
    toApiObject(shown);
    printWritten(resource, shown, opts.output, "created (dry run)");
    return;
  }
  // A namespace is in none.
  const namespaced = object["kind"] !== "Namespace";
  const metadata = namespaced ? { ...metaOf(object).json, namespace: opts.namespace } : metaOf(object).json;
  const created = await client.create(toApiObject({ ...object, metadata }));
  printWritten(resource, fromApiObject(created).json, opts.output, "created");
}

/** kubectl create configmap NAME [--from-file=[key=]source] [--from-literal=key=value]. */
export async function createConfigMap(client: CreateClient, name: string, sources: DataSources, opts: CreateOptions): Promise<void> {
  await createObject(client, "configmap", configMapFrom(name, sources), opts);
}

/** kubectl create secret generic NAME [--type=string] [--from-file=[key=]source] [--from-literal=key=value]. */
export async function createSecretGeneric(client: CreateClient, name: string, sources: DataSources & { readonly type?: string }, opts: CreateOptions): Promise<void> {
  await createObject(client, "secret", secretFrom(name, sources), opts);
}

/** How main runs a command: with a client it closes after. */
export type RunWithClient = <A extends unknown[]>(fn: (client: CapstanClient, ...args: A) => Promise<void>) => (...args: A) => Promise<void>;

interface CreateFlags {
  fromLiteral: string[];
  fromFile: string[];
  dryRun: string | true;
  output?: string;
  type?: string;
}

/** A repeatable flag's values, in the order given. */
const collect = (value: string, previous: string[]): string[] => [...previous, value];

/** The flags every generator takes: a dry run and the output. */
function withWriteFlags(cmd: Command): Command {
  return cmd.option("--dry-run [strategy]", '"client" prints the object without creating it', "none").option("-o, --output <format>", "json|yaml|name");
}

/** The flags kubectl create configmap and create secret generic share. */
function withDataFlags(cmd: Command): Command {
  return cmd
    .option("--from-literal <key=value>", "a key and literal value (repeatable)", collect, [])
    .option("--from-file <[key=]source>", "a file (keyed by its name, or by key), or a folder's regular files (repeatable)", collect, []);
}

/**
 * `capctl create configmap|cm NAME …`, `create secret generic NAME …`, `create job NAME --from=cronjob/NAME`,
 * `create namespace|ns NAME`, `create deployment|deploy NAME --image=I…` and `create service|svc clusterip|nodeport NAME --tcp=P[:T]…`.
 */
export function createCommand(run: RunWithClient, globals: () => GlobalOptions): Command {
  const options = (flags: CreateFlags): CreateOptions => ({
    namespace: namespaceOf(globals()),
    namespaceGiven: globals().namespace !== undefined,
    dryRun: flags.dryRun === true ? "client" : flags.dryRun,
    ...(flags.output !== undefined ? { output: flags.output } : {}),
  });
  const create = new Command("create").description("create a config map, secret, job, namespace, deployment or service");
  withWriteFlags(withDataFlags(create.command("configmap").alias("cm").description("create a config map from files, folders or literal values").argument("<name>"))).action(
    run(async (client, name: string, flags: CreateFlags) => createConfigMap(client, name, flags, options(flags))),
  );
  withWriteFlags(
    withDataFlags(
      create
        .command("secret")
        .description("create a secret")
        .command("generic")
        .description("create a secret from files, folders or literal values")
        .argument("<name>")
        .option("--type <type>", "the secret's type (default Opaque)"),
    ),
  ).action(run(async (client, name: string, flags: CreateFlags) => createSecretGeneric(client, name, flags, options(flags))));
  withWriteFlags(create.command("namespace").alias("ns").description("create a namespace").argument("<name>")).action(
    run(async (client, name: string, flags: CreateFlags) => createObject(client, "namespace", namespaceFrom(name), options(flags))),
  );
  withWriteFlags(
    create
      .command("deployment")
      .alias("deploy")
      .description("create a deployment with the given name, one container per image")
      .argument("<name>")
      .argument("[command...]", "after --, the command its containers run")
      .option("--image <image>", "a container image (repeatable)", collect, [])
      .option("-r, --replicas <count>", "the number of replicas", integer, 1)
      .option("--port <port>", "the port the first container exposes", integer),
  ).action(
    run(async (client, name: string, command: string[], flags: CreateFlags & { image: string[]; replicas: number; port?: number }) =>
      createObject(
        client,
        "deployment.apps",
        deploymentFrom(name, { images: flags.image, replicas: flags.replicas, command, ...(flags.port !== undefined ? { port: flags.port } : {}) }),
        options(flags),
      ),
    ),
  );
  const service = create.command("service").alias("svc").description("create a service");
  for (const [sub, type] of [
    ["clusterip", "ClusterIP"],
    ["nodeport", "NodePort"],
  ] as const satisfies ReadonlyArray<readonly [string, CreatedServiceType]>) {
    const cmd = service
      .command(sub)
      .description(`create a ${type} service selecting the pods labelled app=NAME`)
      .argument("<name>")
      .option("--tcp <port[:targetPort]>", "a port and the pods' port number or name (repeatable)", collect, []);
    if (type === "ClusterIP") cmd.option("--clusterip <ip>", '"None" for a headless service');
    else cmd.option("--node-port <port>", "the node port of every port (default: the server picks)", integer);
    withWriteFlags(cmd).action(
      run(async (client, name: string, flags: CreateFlags & { tcp: string[]; clusterip?: string; nodePort?: number }) =>
        createObject(
          client,
          "service",
          serviceFrom(type, name, {
            tcp: flags.tcp,
            ...(flags.clusterip !== undefined ? { clusterIP: flags.clusterip } : {}),
            ...(flags.nodePort !== undefined ? { nodePort: flags.nodePort } : {}),
          }),
          options(flags),
        ),
      ),
    );
  }
  create
    .command("job")
    .description("create a job from a cronjob's template")
    .argument("<name>")
    .requiredOption("--from <cronjob/name>", "the cronjob whose jobTemplate the job is made from")
    .option("-o, --output <format>", "json|yaml|name")
    .action(run(async (client, name: string, flags: { from: string; output?: string }) => createJobFrom(client, name, flags.from, { namespace: namespaceOf(globals()), ...(flags.output !== undefined ? { output: flags.output } : {}) })));
  return create;
}
