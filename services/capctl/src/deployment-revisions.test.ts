import { describe, expect, it } from "vitest";
import { isSameTemplate, revisionHistory, rollBack, rollbackRevision, templateWithoutHash } from "./deployment-revisions.js";
import { aWebDeployment, aWebReplicaSet, aTemplate } from "./testing/builders.js";

type Json = Record<string, any>;

describe("revisionHistory", () => {
  it("orders the revisions and reads each change cause", () => {
    const history = revisionHistory([
      aWebReplicaSet(3, "nginx:1.29", { annotations: { "kubernetes.io/change-cause": "capctl set image web=nginx:1.29" } }),
      aWebReplicaSet(1, "nginx:1.27"),
      aWebReplicaSet(2, "nginx:1.28"),
    ]);
    expect(history.map((r) => [r.revision, r.changeCause])).toEqual([
      [1, undefined],
      [2, undefined],
      [3, "capctl set image web=nginx:1.29"],
    ]);
  });

  it("leaves out a ReplicaSet without a readable revision", () => {
    const unnumbered: Json = aWebReplicaSet(1, "a");
    unnumbered["metadata"]["annotations"] = {};
    const garbled: Json = aWebReplicaSet(2, "b");
    garbled["metadata"]["annotations"]["deployment.kubernetes.io/revision"] = "two";
    expect(revisionHistory([unnumbered, garbled, aWebReplicaSet(3, "c")]).map((r) => r.revision)).toEqual([3]);
  });
});

describe("rollbackRevision", () => {
  const history = revisionHistory([aWebReplicaSet(1, "v1"), aWebReplicaSet(2, "v2"), aWebReplicaSet(4, "v4")]);

  it.each([
    { name: "0 is the one before the newest", to: 0, want: 2 },
    { name: "a given revision", to: 1, want: 1 },
    { name: "the newest, when asked", to: 4, want: 4 },
  ])("$name", ({ to, want }) => {
    expect(rollbackRevision(history, to, "web").revision).toBe(want);
  });

  it.each([
    { name: "a revision not in history", history, to: 3, error: "unable to find specified revision 3 in history" },
    { name: "a negative revision", history, to: -1, error: "unable to find specified revision -1 in history" },
    { name: "no previous revision", history: history.slice(0, 1), to: 0, error: 'no rollout history found for deployment "web"' },
  ])("refuses $name", ({ history: h, to, error }) => {
    expect(() => rollbackRevision(h, to, "web")).toThrow(error);
  });
});

describe("templates", () => {
  it("drop the hash label, and the labels map when it was the only one", () => {
    expect(templateWithoutHash(aTemplate("x", { "pod-template-hash": "h1" }))).toEqual(aTemplate("x"));
    expect(templateWithoutHash({ metadata: { labels: { "pod-template-hash": "h1" } }, spec: {} })).toEqual({ spec: {} });
  });

  it("compare equal across the hash label only", () => {
    const template = (aWebReplicaSet(1, "nginx:1.27") as Json)["spec"]["template"];
    expect(isSameTemplate(template, aTemplate("nginx:1.27"))).toBe(true);
    expect(isSameTemplate(template, aTemplate("nginx:1.28"))).toBe(false);
  });
});

describe("rollBack", () => {
  it("puts the revision's template, without the hash label, into the Deployment and takes the ReplicaSet's change cause", () => {
    const d: Json = aWebDeployment({ image: "nginx:1.28", annotations: { owner: "team-a", "kubernetes.io/change-cause": "upgrade" } });
    const rs = aWebReplicaSet(1, "nginx:1.27", { annotations: { "kubernetes.io/change-cause": "first" } });
    const [to] = revisionHistory([rs]);
    expect(rollBack(d, to!)).toBe("rolled back");
    expect(d["spec"]["template"]).toEqual(aTemplate("nginx:1.27"));
    // The revision annotation is the controller's to set on the Deployment's own ReplicaSets.
    expect(d["metadata"]["annotations"]).toEqual({ owner: "team-a", "kubernetes.io/change-cause": "first" });
  });

  it("skips when the template already matches", () => {
    const d = aWebDeployment({ image: "nginx:1.27" });
    const before = structuredClone(d);
    expect(rollBack(d, revisionHistory([aWebReplicaSet(1, "nginx:1.27")])[0]!)).toBe("skipped");
    expect(d).toEqual(before);
  });

  it("refuses a paused Deployment", () => {
    expect(() => rollBack(aWebDeployment({ paused: true }), revisionHistory([aWebReplicaSet(1, "v1")])[0]!)).toThrow("you cannot rollback a paused deployment");
  });
});
