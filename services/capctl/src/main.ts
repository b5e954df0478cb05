#!/usr/bin/env node
import { Command, InvalidArgumentError } from "commander";
import { isCapstanError } from "@capstan/apimachinery";
import { GatewayUnreachableError } from "@capstan/client";
import { apply } from "./commands/apply.js";
import { deleteObjects, propagationPolicyOf } from "./commands/delete.js";
import { describe } from "./commands/describe.js";
import { get } from "./commands/get.js";
import { logs } from "./commands/logs.js";
import { connect, gatewayAddress, namespaceOf, type GlobalOptions } from "./context.js";

function integer(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n)) throw new InvalidArgumentError("must be an integer");
  return n;
}

const program = new Command("capctl")
  .description("capctl controls the Capstan cluster manager")
  .option("-s, --server <address>", "the gateway's host:port (default: $CAPSTAN_GATEWAY or 127.0.0.1:7470)")
  .option("-n, --namespace <namespace>", "the namespace scope for this request")
  .showHelpAfterError(false);

const globals = (): GlobalOptions => program.opts<GlobalOptions>();

/** Runs a command with a client, closing it after; every failure is one clear line. */
function action<A extends unknown[]>(fn: (client: ReturnType<typeof connect>, ...args: A) => Promise<void>) {
  return async (...args: A) => {
    const client = connect(globals());
    try {
      await fn(client, ...args);
    } finally {
      client.close();
    }
  };
}

program
  .command("apply")
  .description("apply a configuration to a resource by file name or stdin")
  .requiredOption("-f, --filename <path...>", "files, folders or - for stdin")
  .action(action(async (client, opts: { filename: string[] }) => apply(client, opts.filename, globals().namespace)));

program
  .command("get")
  .description("display one or many resources")
  .argument("<resource...>", "type [name...] or type/name")
  .option("-o, --output <format>", "json|yaml|wide|name")
  .option("-A, --all-namespaces", "list across all namespaces", false)
  .option("-l, --selector <selector>", "label selector, e.g. app=web,tier!=db")
  .option("--field-selector <selector>", "field selector, e.g. spec.nodeName=node-1")
  .option("-w, --watch", "after listing, watch for changes", false)
  .action(
    action(async (client, args: string[], opts: { output?: string; allNamespaces: boolean; selector?: string; fieldSelector?: string; watch: boolean }) =>
      get(client, args, { ...opts, namespace: namespaceOf(globals()) }),
    ),
  );

program
  .command("describe")
  .description("show details of a resource, with its events")
  .argument("<resource...>", "type [name...] or type/name")
  .action(action(async (client, args: string[]) => describe(client, args, namespaceOf(globals()))));

program
  .command("delete")
  .description("delete resources by file name, or by type and name")
  .argument("[resource...]", "type name... or type/name")
  .option("-f, --filename <path...>", "files, folders or - for stdin")
  .option("--force", "delete at once, without waiting for the pod to stop (grace period 0)", false)
  .option("--grace-period <seconds>", "seconds given to the pod to terminate gracefully", integer)
  .option("--wait <bool>", "wait for the object to be gone", (v) => v !== "false", true)
  .option("--ignore-not-found", "treat a missing object as deleted", false)
  .option("--cascade [strategy]", 'what happens to dependents: "background", "foreground" or "orphan"', "background")
  .action(
    action(
      async (
        client,
        args: string[],
        opts: { filename?: string[]; force: boolean; gracePeriod?: number; wait: boolean; ignoreNotFound: boolean; cascade: string | true },
      ) =>
        deleteObjects(client, args, {
          ...opts,
          ...(opts.filename ? { filenames: opts.filename } : {}),
          namespace: namespaceOf(globals()),
          propagationPolicy: propagationPolicyOf(opts.cascade === true ? "background" : opts.cascade),
        }),
    ),
  );

program
  .command("logs")
  .description("print the logs of a container in a pod")
  .argument("<pod>", "pod name")
  .option("-c, --container <name>", "the container (required when the pod has several)")
  .option("-f, --follow", "stream new lines as they are written", false)
  .option("--tail <lines>", "only the last N lines", integer)
  .option("-p, --previous", "the previous, terminated instance of the container", false)
  .action(
    action(async (client, pod: string, opts: { container?: string; follow: boolean; tail?: number; previous: boolean }) =>
      logs(client, pod, { ...opts, namespace: namespaceOf(globals()) }),
    ),
  );

program.parseAsync(process.argv).catch((e: unknown) => {
  const message = e instanceof Error ? e.message : String(e);
  if (e instanceof GatewayUnreachableError) {
    console.error(`error: cannot reach the gateway at ${gatewayAddress(globals())}: is the stack running (pnpm start)? Point --server or CAPSTAN_GATEWAY at it.`);
  } else {
    console.error(isCapstanError(e) ? `Error from server (${e.code}): ${message}` : `error: ${message}`);
  }
  process.exit(1);
});
