import { afterEach, describe, expect, it, vi } from "vitest";
import { aWebDeployment, aWebReplicaSet } from "../testing/builders.js";
import { createFakeGateway, type FakeGateway } from "@capstan/client/testing";
import { deploymentRefs, rolloutPause, rolloutRestart, setPaused, stampRestart } from "./rollout.js";
import { historyTable, revisionText, rolloutHistory } from "./rollout-history.js";
import { rolloutUndo } from "./rollout-undo.js";
import { revisionHistory } from "../deployment-revisions.js";

afterEach(() => vi.restoreAllMocks());

type Json = Record<string, any>;
const printed = () => vi.spyOn(console, "log").mockImplementation(() => undefined);

describe("deploymentRefs", () => {
  it("takes deployments only", () => {
    expect(deploymentRefs(["deploy", "web", "api"], "pause")).toEqual([{ kind: "Deployment", name: "web" }, { kind: "Deployment", name: "api" }]);
    expect(() => deploymentRefs(["rs/web-1"], "status")).toThrow("rollout status supports deployments only, not replicasets");
    expect(() => deploymentRefs(["deployment"], "undo")).toThrow("a deployment name is required, e.g. capctl rollout undo deployment/web");
  });
});

describe("pause and resume", () => {
  it.each([
    { name: "pause a running Deployment", paused: false, to: true, want: true },
    { name: "resume a paused Deployment", paused: true, to: false, want: undefined },
  ])("$name", ({ paused, to, want }) => {
    const d: Json = aWebDeployment({ paused });
    setPaused(d, to);
    expect(d["spec"]["paused"] || undefined).toBe(want);
  });

  it.each([
    { name: "pause a paused Deployment", paused: true, to: true, error: 'deployments.apps "web" is already paused' },
    { name: "resume a running Deployment", paused: false, to: false, error: 'deployments.apps "web" is not paused' },
  ])("refuses to $name", ({ paused, to, error }) => {
    expect(() => setPaused(aWebDeployment({ paused }), to)).toThrow(error);
  });

  it("prints kubectl's lines", async () => {
    const log = printed();
    const gw = await createFakeGateway();
    await gw.apply(aWebDeployment());
    await rolloutPause(gw, ["deployment/web"], "default", true);
    expect((gw.stored("Deployment", "web") as Json)["spec"]["paused"]).toBe(true);
    await rolloutPause(gw, ["deployment/web"], "default", false);
    expect(log.mock.calls.map((c) => c[0])).toEqual(["deployment.apps/web paused", "deployment.apps/web resumed"]);
  });
});

describe("restart", () => {
  const now = new Date("2026-11-23T10:00:00.123Z");

  it("stamps the template with the time to the second", () => {
    const d: Json = aWebDeployment();
    stampRestart(d, now);
    expect(d["spec"]["template"]["metadata"]["annotations"]).toEqual({ "kubectl.kubernetes.io/restartedAt": "2026-11-23T10:00:00Z" });
  });

  it("refuses a paused Deployment", () => {
    expect(() => stampRestart(aWebDeployment({ paused: true }), now)).toThrow("can't restart paused deployment (run rollout resume first)");
  });

  it("refuses a second restart within the same second, which would change nothing", async () => {
    const log = printed();
    const gw = await createFakeGateway();
    await gw.apply(aWebDeployment());
    await rolloutRestart(gw, ["deployment/web"], "default", () => now);
    await expect(rolloutRestart(gw, ["deployment/web"], "default", () => now)).rejects.toThrow("was restarted within the past second");
    expect(log.mock.calls.map((c) => c[0])).toEqual(["deployment.apps/web restarted"]);
  });
});

describe("history", () => {
  const history = revisionHistory([aWebReplicaSet(1, "nginx:1.27"), aWebReplicaSet(12, "nginx:1.28", { annotations: { "kubernetes.io/change-cause": "set image" } })]);

  it("is kubectl's REVISION / CHANGE-CAUSE table", () => {
    expect(historyTable(history)).toBe(["REVISION  CHANGE-CAUSE", "1         <none>", "12        set image"].join("\n"));
    expect(historyTable([])).toBe("No rollout history found.");
  });

  it("shows one revision's template with its change cause", () => {
    const text = revisionText(history, 12);
    expect(text).toMatch(/^Pod Template:\n/);
    expect(text).toMatch(/Labels:\s+app=web\n\s+pod-template-hash=h12/);
    expect(text).toMatch(/Annotations:\s+kubernetes.io\/change-cause: set image/);
    expect(text).toMatch(/Image:\s+nginx:1.28/);
    expect(() => revisionText(history, 5)).toThrow("unable to find the specified revision 5");
  });

  it("lists only the ReplicaSets the Deployment controls", async () => {
    const log = printed();
    const gw = await createFakeGateway();
    await gw.apply(aWebDeployment());
    await gw.apply(aWebReplicaSet(1, "v1"));
    const foreign: Json = aWebReplicaSet(2, "v2", { owner: "someone-else" });
    foreign["metadata"]["name"] = "other";
    await gw.apply(foreign);
    await rolloutHistory(gw, ["deployment", "web"], { namespace: "default" });
    expect(log.mock.calls.map((c) => c[0])).toEqual(["deployment.apps/web\nREVISION  CHANGE-CAUSE\n1         <none>"]);
  });
});

describe("undo", () => {
  async function cluster(): Promise<FakeGateway> {
    const gw = await createFakeGateway();
    await gw.apply(aWebDeployment({ image: "nginx:1.29" }));
    await gw.apply(aWebReplicaSet(1, "nginx:1.27"));
    await gw.apply(aWebReplicaSet(2, "nginx:1.28"));
    await gw.apply(aWebReplicaSet(3, "nginx:1.29"));
    return gw;
  }
  const imageOf = (gw: FakeGateway) => (gw.stored("Deployment", "web") as Json)["spec"]["template"]["spec"]["containers"][0]["image"];

  it("goes back to the previous revision, or the one asked for", async () => {
    const log = printed();
    const gw = await cluster();
    await rolloutUndo(gw, ["deployment/web"], { namespace: "default" });
    expect(imageOf(gw)).toBe("nginx:1.28");
    await rolloutUndo(gw, ["deployment/web"], { namespace: "default", toRevision: 1 });
    expect(imageOf(gw)).toBe("nginx:1.27");
    expect((gw.stored("Deployment", "web") as Json)["spec"]["template"]["metadata"]["labels"]).toEqual({ app: "web" });
    expect(log.mock.calls.map((c) => c[0])).toEqual(["deployment.apps/web rolled back", "deployment.apps/web rolled back"]);
  });

  it("skips, as kubectl, when the template is already the revision's", async () => {
    const log = printed();
    const gw = await cluster();
    const revision = gw.revision;
    await rolloutUndo(gw, ["deployment/web"], { namespace: "default", toRevision: 3 });
    expect(log.mock.calls.map((c) => c[0])).toEqual(["deployment.apps/web skipped rollback (current template already matches revision 3)"]);
    expect(gw.revision, "nothing written").toBe(revision);
  });

  it("names a revision that is not there", async () => {
    await expect(rolloutUndo(await cluster(), ["deployment/web"], { namespace: "default", toRevision: 9 })).rejects.toThrow("unable to find specified revision 9 in history");
  });
});
