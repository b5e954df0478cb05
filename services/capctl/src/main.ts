#!/usr/bin/env node
import { Command, InvalidArgumentError } from "commander";
import { isCapstanError } from "@capstan/apimachinery";
import { DeadlineExceededError, GatewayUnreachableError } from "@capstan/api";
import { initTelemetry } from "@capstan/telemetry";
import { apply } from "./commands/apply.js";
import { createCommand } from "./commands/create.js";
import { deleteObjects, propagationPolicyOf } from "./commands/delete.js";
import { describe } from "./commands/describe.js";
import { cordon, drain } from "./commands/drain.js";
import { attach, exec } from "./commands/exec.js";
import { expose } from "./commands/expose.js";
import { events } from "./commands/events.js";
import { get } from "./commands/get.js";
import { history } from "./commands/history.js";
import { logs } from "./commands/logs.js";
import { annotate } from "./commands/annotate.js";
import { label } from "./commands/label.js";
import { rolloutPause, rolloutRestart } from "./commands/rollout.js";
import { rolloutHistory } from "./commands/rollout-history.js";
import { rolloutStatus } from "./commands/rollout-status.js";
import { rolloutUndo } from "./commands/rollout-undo.js";
import { scale } from "./commands/scale.js";
import { setImage } from "./commands/set-image.js";
import { parseDuration, parseRequestTimeout } from "./duration.js";
import { integer } from "./flags.js";
import { connect, gatewayAddress, namespaceOf, type GlobalOptions } from "./context.js";

/** kubectl's boolean flags: `-w`, `--watch=false`, `-w=false`. */
function bool(value: string | undefined): boolean {
  const v = (value ?? "true").replace(/^=/, "");
  if (v !== "true" && v !== "false") throw new InvalidArgumentError("must be true or false, e.g. --watch=false");
  return v === "true";
}

/** A flag parsed by `parse`, its error commander's one line. */
function parsedBy(parse: (value: string) => number): (value: string) => number {
  return (value) => {
    try {
      return parse(value);
    } catch (e) {
      throw new InvalidArgumentError(e instanceof Error ? e.message : String(e));
    }
  };
}

const duration = parsedBy(parseDuration);

const program = new Command("capctl")
  .description("capctl controls the Capstan cluster manager")
  .option("-s, --server <address>", "the gateway's host:port (default: $CAPSTAN_GATEWAY or 127.0.0.1:7470)")
  .option("-n, --namespace <namespace>", "the namespace scope for this request")
  .option("--request-timeout <duration>", "how long to wait for each call to the gateway, e.g. 5s, 1m; 0 waits for ever (default 15s)", parsedBy(parseRequestTimeout))
  .showHelpAfterError(false);

const globals = (): GlobalOptions => program.opts<GlobalOptions>();

// Exports spans only when OTEL_EXPORTER_OTLP_ENDPOINT is set, so a traced apply starts its trace here.
const telemetry = initTelemetry("capctl");

/** Runs a command with a client, closing it after and flushing its spans; every failure is one clear line. */
function action<A extends unknown[]>(fn: (client: ReturnType<typeof connect>, ...args: A) => Promise<void>) {
  return async (...args: A) => {
    const client = connect(globals());
    try {
      await fn(client, ...args);
    } finally {
      client.close();
      await telemetry.shutdown();
    }
  };
}

program
  .command("apply")
  .description("apply a configuration to a resource by file name or stdin")
  .requiredOption("-f, --filename <path...>", "files, folders or - for stdin")
  .action(action(async (client, opts: { filename: string[] }) => apply(client, telemetry.tracer, opts.filename, globals().namespace)));

program
  .command("get")
  .description("display one or many resources")
  .argument("<resource...>", "type [name...] or type/name")
  .option("-o, --output <format>", "json|yaml|wide|name")
  .option("-A, --all-namespaces", "list across all namespaces", false)
  .option("-l, --selector <selector>", "label selector, e.g. app=web,tier!=db")
  .option("--field-selector <selector>", "field selector, e.g. spec.nodeName=node-1")
  .option("-w, --watch", "after listing, watch for changes", false)
  .option("--at-revision <revision>", "as the cluster was at this revision, from the event log (deleted objects included)", integer)
  .option("--show-managed-fields", "keep metadata.managedFields in json and yaml output", false)
  .action(
    action(
      async (
        client,
        args: string[],
        opts: { output?: string; allNamespaces: boolean; selector?: string; fieldSelector?: string; watch: boolean; atRevision?: number; showManagedFields: boolean },
      ) =>
        get(client, args, { ...opts, namespace: namespaceOf(globals()) }),
    ),
  );

program
  .command("history")
  .description("list every change the event log holds of one object: revision, age, actor, verb, trace")
  .argument("<resource...>", "type/name or type name")
  .option("-p, --patch", "under each revision, the fields it added, changed or removed", false)
  .action(action(async (client, args: string[], opts: { patch: boolean }) => history(client, args, { ...opts, namespace: namespaceOf(globals()) })));

program
  .command("events")
  .description("list events, oldest first, as kubectl events")
  .option("-A, --all-namespaces", "list across all namespaces", false)
  .option("--for <resource>", "only the events about this object, e.g. pod/web")
  .option("-w, --watch", "after listing, watch for new events", false)
  .action(
    action(async (client, opts: { allNamespaces: boolean; for?: string; watch: boolean }) => events(client, { ...opts, namespace: namespaceOf(globals()) })),
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

program
  .command("exec")
  .description("run a command in a container of a pod")
  .usage("POD [-c CONTAINER] [-i] [-t] -- COMMAND [args...]")
  .argument("<pod>", "pod name")
  .argument("<command...>", "the command and its arguments, after --")
  .option("-c, --container <name>", "the container (default: the pod's default container, else its first)")
  .option("-i, --stdin", "pass stdin to the container", false)
  .option("-t, --tty", "stdin is a TTY", false)
  .action(
    action(async (client, pod: string, command: string[], opts: { container?: string; stdin: boolean; tty: boolean }) => {
      process.exitCode = await exec(client, pod, command, { ...opts, namespace: namespaceOf(globals()) });
    }),
  );

program
  .command("attach")
  .description("print the output of a running container from now until it exits")
  .argument("<pod>", "pod name")
  .option("-c, --container <name>", "the container (default: the pod's default container, else its first)")
  .action(
    action(async (client, pod: string, opts: { container?: string }) => {
      process.exitCode = await attach(client, pod, { ...opts, namespace: namespaceOf(globals()) });
    }),
  );

program
  .command("scale")
  .description("set a new size for a deployment, replica set or replication controller")
  .argument("<resource...>", "type name... or type/name...")
  .requiredOption("--replicas <count>", "the new desired number of replicas", integer)
  .option("--current-replicas <count>", "precondition: scale only if the current size is this", integer)
  .action(
    action(async (client, args: string[], opts: { replicas: number; currentReplicas?: number }) =>
      scale(client, args, { ...opts, namespace: namespaceOf(globals()) }),
    ),
  );

for (const [name, unschedulable] of [["cordon", true], ["uncordon", false]] as const) {
  program
    .command(name)
    .description(`mark a node as ${unschedulable ? "unschedulable" : "schedulable"}`)
    .argument("<node>", "the node's name")
    .action(action(async (client, node: string) => cordon(client, node, unschedulable)));
}

program
  .command("drain")
  .description("cordon a node, then evict its pods through their disruption budgets")
  .argument("<node>", "the node's name")
  .option("--ignore-daemonsets", "leave DaemonSet-managed pods where they are", false)
  .option("--delete-emptydir-data", "evict pods with emptyDir volumes, whose data goes with them", false)
  .option("--force", "also evict pods that no controller manages (they are not recreated)", false)
  .option("--grace-period <seconds>", "each pod's grace period; -1: its own", integer, -1)
  .option("--timeout <duration>", "give up after this long, e.g. 5m; 0: never", duration, 0)
  .option("--pod-selector <selector>", "only pods whose labels match")
  .option("--disable-eviction", "delete the pods instead of evicting them: no disruption budget is asked", false)
  .action(
    action(
      async (
        client,
        node: string,
        opts: { ignoreDaemonsets: boolean; deleteEmptydirData: boolean; force: boolean; gracePeriod: number; timeout: number; podSelector?: string; disableEviction: boolean },
      ) =>
        drain(client, node, {
          ignoreDaemonsets: opts.ignoreDaemonsets,
          deleteEmptydirData: opts.deleteEmptydirData,
          force: opts.force,
          gracePeriodSeconds: opts.gracePeriod < 0 ? undefined : opts.gracePeriod,
          timeoutMs: opts.timeout,
          podSelector: opts.podSelector ?? "",
          disableEviction: opts.disableEviction,
        }),
    ),
  );

program
  .command("expose")
  .description("expose a deployment, replica set, replication controller, pod or service as a new Service")
  .argument("<resource...>", "type name or type/name")
  .option("--port <port>", "the port the service serves on (default: the object's container ports)")
  .option("--target-port <port>", "the pods' port number or name (default: --port)")
  .option("--protocol <protocol>", "TCP, UDP or SCTP (default: each port's own, else TCP)")
  .option("--name <name>", "the service's name (default: the object's)")
  .option("--type <type>", "ClusterIP, NodePort or LoadBalancer (default ClusterIP)")
  .option("-l, --selector <selector>", "k=v,... pods to select (default: the object's selector or labels)")
  .option("--cluster-ip <ip>", '"None" for a headless service')
  .option("--dry-run [strategy]", '"client" prints the service without creating it', "none")
  .option("-o, --output <format>", "json|yaml|name")
  .action(
    action(
      async (
        client,
        args: string[],
        opts: { port?: string; targetPort?: string; protocol?: string; name?: string; type?: string; selector?: string; clusterIp?: string; dryRun: string | true; output?: string },
      ) => {
        const { clusterIp, dryRun, ...rest } = opts;
        await expose(client, args, {
          ...rest,
          ...(clusterIp !== undefined ? { clusterIP: clusterIp } : {}),
          dryRun: dryRun === true ? "client" : dryRun,
          namespace: namespaceOf(globals()),
        });
      },
    ),
  );

program
  .command("set")
  .description("set specific features on objects")
  .command("image")
  .description("update the container images of a pod or of a workload's pod template")
  .argument("<args...>", "type name... or type/name..., then container=image... (* for every container)")
  .action(action(async (client, args: string[]) => setImage(client, args, namespaceOf(globals()))));

for (const [name, verb, fn] of [
  ["label", "labels", label],
  ["annotate", "annotations", annotate],
] as const) {
  program
    .command(name)
    .description(`update the ${verb} of resources: key=value sets, key- removes`)
    .argument("<args...>", "type name... or type/name..., then key=value... key-...")
    .option("--overwrite", "allow changing a value that is already set", false)
    .option("--all", "every object of the type in the namespace", false)
    .option("-l, --selector <selector>", "objects of the type whose labels match, e.g. app=web")
    .action(
      action(async (client, args: string[], opts: { overwrite: boolean; all: boolean; selector?: string }) =>
        fn(client, args, { ...opts, namespace: namespaceOf(globals()) }),
      ),
    );
}

program.addCommand(createCommand(action, globals));

const rollout = program.command("rollout").description("manage the rollout of a deployment or statefulset");

rollout
  .command("status")
  .description("watch a deployment's rollout until it completes")
  .argument("<resource...>", "deployment/name or deployment name")
  .option("-w, --watch [bool]", "watch until the rollout completes (--watch=false prints the status once)", bool, true)
  .option("--timeout <duration>", "give up after this long, e.g. 30s, 2m (default: wait for ever)", duration)
  .action(
    action(async (client, args: string[], opts: { watch: boolean; timeout?: number }) =>
      rolloutStatus(client, args, { namespace: namespaceOf(globals()), watch: opts.watch, timeoutMs: opts.timeout ?? 0 }),
    ),
  );

rollout
  .command("history")
  .description("list a deployment's revisions, or show one")
  .argument("<resource...>", "deployment/name or deployment name")
  .option("--revision <n>", "show the pod template of this revision", integer)
  .action(
    action(async (client, args: string[], opts: { revision?: number }) => rolloutHistory(client, args, { ...opts, namespace: namespaceOf(globals()) })),
  );

rollout
  .command("undo")
  .description("roll a deployment back to its previous revision, or to --to-revision")
  .argument("<resource...>", "deployment/name or deployment name")
  .option("--to-revision <n>", "the revision to roll back to (default: the previous one)", integer)
  .action(
    action(async (client, args: string[], opts: { toRevision?: number }) => rolloutUndo(client, args, { ...opts, namespace: namespaceOf(globals()) })),
  );

for (const [name, paused] of [
  ["pause", true],
  ["resume", false],
] as const) {
  rollout
    .command(name)
    .description(paused ? "stop a deployment from rolling out changes to its template" : "let a paused deployment roll out again")
    .argument("<resource...>", "deployment/name... or deployment name...")
    .action(action(async (client, args: string[]) => rolloutPause(client, args, namespaceOf(globals()), paused)));
}

rollout
  .command("restart")
  .description("replace every pod of a deployment with a rollout")
  .argument("<resource...>", "deployment/name... or deployment name...")
  .action(action(async (client, args: string[]) => rolloutRestart(client, args, namespaceOf(globals()))));

program.parseAsync(process.argv).catch((e: unknown) => {
  const message = e instanceof Error ? e.message : String(e);
  if (e instanceof DeadlineExceededError) {
    console.error(`error: the gateway at ${gatewayAddress(globals())} did not answer within the request timeout (--request-timeout)`);
  } else if (e instanceof GatewayUnreachableError) {
    console.error(`error: cannot reach the gateway at ${gatewayAddress(globals())}: is the stack running (pnpm start)? Point --server or CAPSTAN_GATEWAY at it.`);
  } else {
    console.error(isCapstanError(e) ? `Error from server (${e.code}): ${message}` : `error: ${message}`);
  }
  process.exit(1);
});
