import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { stringify } from "yaml";
import { storedToApiObject } from "@capstan/api";
import { openEventStore, replay, type EventStore, type StoredEvent } from "@capstan/eventstore";
import { eventually, startTestCluster, type TestCluster } from "./support/index.js";

type Json = Record<string, any>;

const NS = "history";

let cluster: TestCluster;
let log: EventStore;

const ok = (...args: string[]) => cluster.capctlOk([...args, "-n", NS]);

async function fails(...args: string[]): Promise<string> {
  const r = await cluster.capctl([...args, "-n", NS]);
  expect(r.code, `capctl ${args.join(" ")} should fail; stdout: ${r.stdout}`).toBe(1);
  return r.stderr.trim();
}

function webDeployment(): string {
  return stringify({
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name: "web", labels: { app: "a" } },
    spec: {
      replicas: 1,
      selector: { matchLabels: { app: "web" } },
      template: { metadata: { labels: { app: "web" } }, spec: { terminationGracePeriodSeconds: 1, containers: [{ name: "web", image: "example/web:1" }] } },
    },
  });
}

interface Row {
  revision: number;
  age: string;
  actor: string;
  verb: string;
  type: string;
  trace: string;
  /** The -p lines under the row. */
  changes: string[];
}

/** `capctl history` as rows: table lines split on the column gaps, the indented -p lines gathered under their row. */
function parseHistory(out: string): Row[] {
  const [header, ...lines] = out.trimEnd().split("\n");
  expect(header?.split(/\s{3,}/)).toEqual(["REVISION", "AGE", "ACTOR", "VERB", "TYPE", "TRACE"]);
  const rows: Row[] = [];
  for (const line of lines) {
    if (line.startsWith("    ")) {
      rows.at(-1)!.changes.push(line.trim());
      continue;
    }
    const [revision, age, actor, verb, type, trace] = line.split(/\s{3,}/) as [string, string, string, string, string, string];
    rows.push({ revision: Number(revision), age, actor, verb, type, trace, changes: [] });
  }
  return rows;
}

const applyWeb = () => cluster.capctlOk(["apply", "-f", "-", "-n", NS], webDeployment());

const byCapctl = (rows: readonly Row[]) => rows.filter((r) => r.actor.startsWith("capctl:"));

async function deploymentAt(revision: number): Promise<Json> {
  return JSON.parse(await ok("get", "deploy", "web", "--at-revision", String(revision), "-o", "json")) as Json;
}

/** The whole log, read straight from the database the gateway writes. */
async function theLog(): Promise<StoredEvent[]> {
  return log.readEvents(0, 1_000_000);
}

beforeAll(async () => {
  // The Deployment's image `example/web` (every tag) is nginx on the node.
  cluster = await startTestCluster({ nodes: 1, images: { "example/web": { image: "nginx" } } });
  log = await openEventStore({ databaseUrl: cluster.databaseUrl });
  await cluster.capctlOk(["apply", "-f", "-"], `apiVersion: v1\nkind: Namespace\nmetadata:\n  name: ${NS}\n`);
}, 120_000);

afterAll(async () => {
  await log?.close();
  await cluster?.stop();
});

describe("the event log as a feature", () => {
  let rows: Row[];

  it("capctl history lists a Deployment's every change: create, label, image, scale, delete, re-create", async () => {
    expect((await applyWeb()).trim()).toBe("deployment.apps/web created");
    // The controller's first status write, so the user's writes interleave with the system's.
    await eventually(async () => expect(parseHistory(await ok("history", "deployment/web")).some((r) => r.verb === "status")).toBe(true));
    expect((await ok("label", "deployment", "web", "app=b", "--overwrite")).trim()).toBe("deployment.apps/web labeled");
    await ok("set", "image", "deployment/web", "web=example/web:2");
    expect((await ok("scale", "deployment/web", "--replicas=2")).trim()).toBe("deployment.apps/web scaled");
    await ok("delete", "deployment", "web");
    expect((await applyWeb()).trim()).toBe("deployment.apps/web created");

    rows = parseHistory(await ok("history", "deployment", "web", "-p"));
    expect(rows.map((r) => r.revision)).toEqual([...rows.map((r) => r.revision)].sort((a, b) => a - b));
    expect(byCapctl(rows).map((r) => [r.verb, r.type])).toEqual([
      ["create", "ADDED"],
      ["update", "MODIFIED"],
      ["update", "MODIFIED"],
      ["update", "MODIFIED"],
      ["delete", "DELETED"],
      ["create", "ADDED"],
    ]);
    for (const r of rows.filter((r) => !r.actor.startsWith("capctl:"))) expect([r.actor, r.verb, r.type]).toEqual(["system:deployment-controller", "status", "MODIFIED"]);
    for (const r of rows) expect(r.trace).toMatch(/^[0-9a-f]{32}$/);
  }, 120_000);

  it("history -p prints what each revision changed", () => {
    const [created, labeled, imaged, scaled, deleted, recreated] = byCapctl(rows);
    expect(rows[0]!.changes).toEqual([]);
    expect(labeled!.changes).toContain('~ metadata.labels.app: "a" → "b"');
    expect(imaged!.changes).toContain('~ spec.template.spec.containers[0].image: "example/web:1" → "example/web:2"');
    expect(scaled!.changes).toContain("~ spec.replicas: 1 → 2");
    expect(recreated!.changes.some((c) => c.startsWith("~ metadata.uid: "))).toBe(true);
    for (const r of [labeled, imaged, scaled]) expect(r!.changes.filter((c) => c.startsWith("~ spec.") || c.startsWith("~ metadata.labels"))).toHaveLength(1);
    for (const r of rows) expect(r.changes.some((c) => c.includes("resourceVersion"))).toBe(false);
    expect(created!.revision).toBeLessThan(deleted!.revision);
  });

  it("capctl get --at-revision answers as the cluster was, before, during and after the Deployment's life", async () => {
    const [created, labeled, imaged, scaled, deleted, recreated] = byCapctl(rows) as [Row, Row, Row, Row, Row, Row];
    expect(await deploymentAt(created.revision)).toMatchObject({
      metadata: { labels: { app: "a" }, resourceVersion: String(created.revision) },
      spec: { replicas: 1, template: { spec: { containers: [{ image: "example/web:1" }] } } },
    });
    expect((await deploymentAt(labeled.revision))["metadata"]["labels"]).toEqual({ app: "b" });
    expect((await deploymentAt(imaged.revision))["spec"]["template"]["spec"]["containers"][0]["image"]).toBe("example/web:2");
    expect((await deploymentAt(deleted.revision - 1))["spec"]["replicas"]).toBe(2);
    const notFound = `Error from server (NotFound): Deployment "${NS}/web" not found`;
    expect(await fails("get", "deploy", "web", "--at-revision", String(deleted.revision))).toBe(notFound);
    expect(await fails("get", "deploy", "web", "--at-revision", String(created.revision - 1))).toBe(notFound);
    expect((await deploymentAt(recreated.revision))["metadata"]["uid"]).not.toBe((await deploymentAt(scaled.revision))["metadata"]["uid"]);

    // Every output format, as get's: the table, names and YAML of a list at a past revision.
    expect((await ok("get", "deployments", "--at-revision", String(scaled.revision))).split("\n")[1]).toMatch(/^web\s/);
    expect((await ok("get", "deployments", "--at-revision", String(scaled.revision), "-o", "name")).trim()).toBe("deployment.apps/web");
    expect(await ok("get", "deployments", "--at-revision", String(scaled.revision), "-o", "yaml")).toContain("image: example/web:2");
    const empty = await cluster.capctl(["get", "deployments", "--at-revision", String(deleted.revision), "-n", NS]);
    expect(empty.stderr.trim()).toBe(`No resources found in ${NS} namespace.`);

    const head = Number((await cluster.client.list({ kind: "Namespace" })).resourceVersion);
    expect(await fails("get", "deploy", "web", "--at-revision", String(head + 1000))).toMatch(
      new RegExp(`^Error from server \\(Invalid\\): .*revision: Invalid value ${head + 1000}: Too large resource version: ${head + 1000}, current: \\d+`),
    );
  }, 60_000);

  it("History and List at a revision over gRPC agree with a replay of the log", async () => {
    // The history first: the log read after it holds every event it answers with, and maybe later ones.
    const history = await cluster.client.history({ kind: "Deployment", namespace: NS, name: "web" });
    const events = await theLog();
    const logged = events.filter((e) => e.kind === "Deployment" && e.namespace === NS && e.name === "web" && e.revision <= Number(history.resourceVersion));
    expect(history.events.map((e) => [e.revision, e.type, e.verb, e.actor, e.time, e.traceId])).toEqual(
      logged.map((e) => [e.revision, e.type, e.verb, e.actor, e.committedAt, e.traceparent?.split("-")[1] ?? ""]),
    );
    expect(history.events.map((e) => e.object)).toEqual(logged.map((e) => storedToApiObject(e.object)));
    expect(history.events.filter((e) => e.revision <= rows.at(-1)!.revision).map((e) => e.revision)).toEqual(rows.map((r) => r.revision));

    // Each revision of the Deployment's life and one before it, for every kind it made in the namespace.
    const revisions = [logged[0]!.revision - 1, ...logged.map((e) => e.revision)];
    for (const revision of revisions) {
      const expected = replay(events.filter((e) => e.revision <= revision && e.namespace === NS));
      for (const kind of ["Deployment", "ReplicaSet", "Pod"]) {
        const list = await cluster.client.list({ kind, namespace: NS, revision });
        const replayed = expected.filter((r) => r.kind === kind).sort((a, b) => a.name.localeCompare(b.name));
        expect(list.items, `${kind} at ${revision}`).toEqual(replayed.map((r) => storedToApiObject(r.object)));
        expect(list.resourceVersion).toBe(String(revision));
      }
    }
  }, 60_000);

  it("compact-log drops what only earlier revisions need: Expired before it, the same answers from it on, a log that replays to the projection", async () => {
    const [, , , scaled, deleted, recreated] = byCapctl(rows) as [Row, Row, Row, Row, Row, Row];
    const head = Number((await cluster.client.list({ kind: "Namespace" })).resourceVersion);
    const answers = () => Promise.all([deploymentAt(recreated.revision), ...["Deployment", "ReplicaSet", "Pod"].map((kind) => cluster.client.list({ kind, namespace: NS, revision: head }))]);
    const before = await answers();

    expect(await cluster.compactLog(String(deleted.revision))).toMatch(new RegExp(`^compacted the log to revision ${deleted.revision}: dropped \\d+ events$`));
    expect(await fails("get", "deploy", "web", "--at-revision", String(scaled.revision))).toBe(
      `Error from server (Expired): too old resource version: ${scaled.revision} (oldest available ${deleted.revision})`,
    );
    expect(await answers()).toEqual(before);
    const events = await theLog();
    expect(events.filter((e) => e.revision <= deleted.revision && e.namespace === NS && e.name === "web")).toEqual([]);
    for (const kind of ["Deployment", "ReplicaSet", "Pod"]) {
      const replayed = replay(events.filter((e) => e.revision <= head && e.namespace === NS && e.kind === kind)).sort((a, b) => a.name.localeCompare(b.name));
      expect((await cluster.client.list({ kind, namespace: NS, revision: head })).items, kind).toEqual(replayed.map((r) => storedToApiObject(r.object)));
    }
    expect((await cluster.client.history({ kind: "Deployment", namespace: NS, name: "web" })).events[0]!.revision).toBe(recreated.revision);
    const history = await cluster.capctl(["history", "deployment/web", "-n", NS]);
    expect(parseHistory(history.stdout)[0]!.revision).toBe(recreated.revision);
    expect(history.stderr.trim()).toBe(`(the log is compacted to revision ${deleted.revision}: earlier changes may be gone)`);
    expect(await cluster.compactLog(String(deleted.revision))).toBe(`the log is compacted to revision ${deleted.revision} already`);
  }, 60_000);

  it("capctl events lists the namespace's events, and those about one object", async () => {
    const all = await ok("events");
    expect(all.split("\n")[0]!.split(/\s{3,}/)).toEqual(["LAST SEEN", "TYPE", "REASON", "OBJECT", "MESSAGE"]);
    const pod = /Scheduled\s+pod\/(\S+)\s/.exec(all)?.[1];
    expect(pod, all).toBeDefined();
    const forPod = (await ok("events", "--for", `pod/${pod}`)).trim().split("\n").slice(1);
    expect(forPod.map((line) => line.split(/\s{3,}/)[2])).toEqual(expect.arrayContaining(["Scheduled", "Started"]));
    for (const line of forPod) expect(line.split(/\s{3,}/)[3]).toBe(`pod/${pod}`);
    expect(all.split("\n").length).toBeGreaterThan(forPod.length + 1);
    expect((await cluster.capctl(["events", "--for", "pod/nothing-here", "-n", NS])).stderr.trim()).toBe(`No events found in ${NS} namespace.`);
    expect(await ok("events", "-A")).toMatch(new RegExp(`^NAMESPACE\\s+LAST SEEN[\\s\\S]*\\n${NS}\\s`));
  }, 60_000);
});
