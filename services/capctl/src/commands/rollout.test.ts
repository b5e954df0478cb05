import { afterEach, describe, expect, it, vi } from "vitest";
import { aDeployment, aReplicaSet } from "../testing/builders.js";
import { FakeGateway } from "../testing/fake-gateway.js";
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
    const d: Json = aDeployment({ paused });
    setPaused(d, to);
    expect(d["spec"]["paused"] || undefined).toBe(want);
  });

  it.each([
    { name: "pause a paused Deployment", paused: true, to: true, error: 'deployments.apps "web" is already paused' },
    { name: "resume a running Deployment", paused: false, to: false, error: 'deployments.apps "web" is not paused' },
  ])("refuses to $name", ({ paused, to, error }) => {
    expect(() => setPaused(aDeployment({ paused }), to)).toThrow(error);
  });

  it("prints kubectl's lines", async () => {
    const log = printed();
    const gw = new FakeGateway();
    gw.store(aDeployment());
    await rolloutPause(gw, ["deployment/web"], "default", true);
    expect((gw.object("Deployment", "web") as Json)["spec"]["paused"]).toBe(true);
    await rolloutPause(gw, ["deployment/web"], "default", false);
    expect(log.mock.calls.map((c) => c[0])).toEqual(["deployment.apps/web paused", "deployment.apps/web resumed"]);
  });
});

describe("restart", () => {
  const now = new Date("2026-11-23T10:00:00.123Z");

  it("stamps the template with the time to the second", () => {
    const d: Json = aDeployment();
    stampRestart(d, now);
    expect(d["spec"]["template"]["metadata"]["annotations"]).toEqual({ "kubectl.kubernetes.io/restartedAt": "2026-11-23T10:00:00Z" });
  });

  it("refuses a paused Deployment", () => {
    expect(() => stampRestart(aDeployment({ paused: true }), now)).toThrow("can't restart paused deployment (run rollout resume first)");
  });

  it("refuses a second restart within the same second, which would change nothing", async () => {
    const log = printed();
    const gw = new FakeGateway();
    gw.store(aDeployment());
    await rolloutRestart(gw, ["deployment/web"], "default", () => now);
    await expect(rolloutRestart(gw, ["deployment/web"], "default", () => now)).rejects.toThrow("was restarted within the past second");
    expect(log.mock.calls.map((c) => c[0])).toEqual(["deployment.apps/web restarted"]);
  });
});

describe("history", () => {
  const history = revisionHistory([aReplicaSet(1, "nginx:1.27"), aReplicaSet(12, "nginx:1.28", { annotations: { "kubernetes.io/change-cause": "set image" } })]);

  it("is kubectl's REVISION / CHANGE-CAUSE table", () => {
    expect(historyTable(history)).toBe(["REVISION  CHANGE-CAUSE", "1         <none>", "12        set image"].join("\n"));
    expect(historyTable([])).toBe("No rollout history found.");
  });

  it("shows one revision's template with its change cause", () => {
    const text = revisionText(history, 12);
    expect(text).toMatch(/^Pod Template:\n/);
    expect(text).toMatch(/Labels:\s+app=web\n\s+pod-template-hash=h12/);
    expect(text).toMatch(/Annotations:\s+kubernetes.io\/change-cause=set image/);
    expect(text).toMatch(/Image:\s+nginx:1.28/);
    expect(() => revisionText(history, 5)).toThrow("unable to find the specified revision 5");
  });

  it("lists only the ReplicaSets the Deployment controls", async () => {
    const log = printed();
    const gw = new FakeGateway();
    gw.store(aDeployment());
    gw.store(aReplicaSet(1, "v1"));
    const foreign: Json = aReplicaSet(2, "v2", { owner: "someone-else" });
    foreign["metadata"]["name"] = "other";
    gw.store(foreign);
    await rolloutHistory(gw, ["deployment", "web"], { namespace: "default" });
    expect(log.mock.calls.map((c) => c[0])).toEqual(["deployment.apps/web\nREVISION  CHANGE-CAUSE\n1         <none>"]);
  });
});

describe("undo", () => {
  function cluster(): FakeGateway {
    const gw = new FakeGateway();
    gw.store(aDeployment({ image: "nginx:1.29" }));
    gw.store(aReplicaSet(1, "nginx:1.27"));
    gw.store(aReplicaSet(2, "nginx:1.28"));
    gw.store(aReplicaSet(3, "nginx:1.29"));
    return gw;
  }
  const imageOf = (gw: FakeGateway) => (gw.object("Deployment", "web") as Json)["spec"]["template"]["spec"]["containers"][0]["image"];

  it("goes back to the previous revision, or the one asked for", async () => {
    const log = printed();
    const gw = cluster();
    await rolloutUndo(gw, ["deployment/web"], { namespace: "default" });
    expect(imageOf(gw)).toBe("nginx:1.28");
    await rolloutUndo(gw, ["deployment/web"], { namespace: "default", toRevision: 1 });
    expect(imageOf(gw)).toBe("nginx:1.27");
    expect((gw.object("Deployment", "web") as Json)["spec"]["template"]["metadata"]["labels"]).toEqual({ app: "web" });
    expect(log.mock.calls.map((c) => c[0])).toEqual(["deployment.apps/web rolled back", "deployment.apps/web rolled back"]);
  });

  it("skips, as kubectl, when the template is already the revision's", async () => {
    const log = printed();
    const gw = cluster();
    await rolloutUndo(gw, ["deployment/web"], { namespace: "default", toRevision: 3 });
    expect(log.mock.calls.map((c) => c[0])).toEqual(["deployment.apps/web skipped rollback (current template already matches revision 3)"]);
    expect(gw.updates).toHaveLength(0);
  });

  it("names a revision that is not there", async () => {
    await expect(rolloutUndo(cluster(), ["deployment/web"], { namespace: "default", toRevision: 9 })).rejects.toThrow("unable to find specified revision 9 in history");
  });
});
