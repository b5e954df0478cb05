import { afterEach, describe, expect, it, vi } from "vitest";
import { fromApiObject, toApiObject } from "@capstan/api";
import { FakeClock } from "@capstan/apimachinery/testing";
import { createFakeGateway } from "@capstan/client/testing";
import { events } from "./events.js";
import { history } from "./history.js";

const T0 = Date.parse("2026-03-01T12:00:00.000Z");

const configMap = { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "settings", namespace: "default", labels: { app: "a" } }, data: { mode: "fast" } };

function anEvent(name: string, pod: string, reason: string, at: string) {
  return {
    apiVersion: "v1",
    kind: "Event",
    metadata: { name, namespace: "default" },
    involvedObject: { kind: "Pod", namespace: "default", name: pod },
    reason,
    message: `${reason} ${pod}`,
    type: "Normal",
    lastTimestamp: at,
  };
}

describe("capctl history", () => {
  afterEach(() => vi.restoreAllMocks());

  it("prints one row a revision, and with -p the fields each changed from the one before", async () => {
    const clock = new FakeClock(T0);
    const gw = await createFakeGateway({ clock });
    const created = fromApiObject(await gw.create(toApiObject(configMap))).json;
    clock.advance(60_000);
    await gw.update(toApiObject({ ...created, metadata: { ...(created["metadata"] as object), labels: { app: "b" } }, data: { mode: "safe", extra: "1" } }));
    clock.advance(60_000);
    await gw.delete({ kind: "ConfigMap", namespace: "default", name: "settings" });
    const first = gw.revision - 2;
    const rev = (n: number) => String(n).padEnd("REVISION   ".length);
    const log = vi.spyOn(console, "log").mockImplementation(() => {});

    await history(gw, ["configmap/settings"], { namespace: "default", patch: true, now: T0 + 180_000 });
    expect(String(log.mock.calls[0]?.[0]).split("\n")).toEqual([
      "REVISION   AGE   ACTOR   VERB     TYPE       TRACE",
      `${rev(first)}3m    test    create   ADDED      <none>`,
      `${rev(first + 1)}2m    test    update   MODIFIED   <none>`,
      '    ~ metadata.labels.app: "a" → "b"',
      '    ~ data.mode: "fast" → "safe"',
      '    + data.extra: "1"',
      `${rev(first + 2)}60s   test    delete   DELETED    <none>`,
    ]);
  });

  it("asks for exactly one object", async () => {
    const gw = await createFakeGateway();
    await expect(history(gw, ["configmaps"], { namespace: "default", patch: false })).rejects.toThrow(
      "you must specify one resource by type and name, e.g. capctl history deployment/web",
    );
    await expect(history(gw, ["configmap/nothing"], { namespace: "default", patch: false })).rejects.toMatchObject({ code: "NotFound" });
  });
});

describe("capctl events", () => {
  afterEach(() => vi.restoreAllMocks());

  it("lists the events about one object oldest first, then new ones as they come with --watch", async () => {
    const gw = await createFakeGateway();
    await gw.create(toApiObject(anEvent("e2", "web", "Started", "2026-03-01T12:00:02Z")));
    await gw.create(toApiObject(anEvent("e1", "web", "Scheduled", "2026-03-01T12:00:01Z")));
    await gw.create(toApiObject(anEvent("e3", "db", "Scheduled", "2026-03-01T12:00:03Z")));
    const lines: string[] = [];
    vi.spyOn(console, "log").mockImplementation((text: unknown) => void lines.push(...String(text).split("\n")));

    const watching = events(gw, { namespace: "default", allNamespaces: false, for: "pod/web", watch: true });
    await vi.waitFor(() => expect(lines).toHaveLength(3));
    await gw.create(toApiObject(anEvent("e4", "db", "Killing", "2026-03-01T12:00:04Z")));
    await gw.create(toApiObject(anEvent("e5", "web", "Killing", "2026-03-01T12:00:05Z")));
    await vi.waitFor(() => expect(lines).toHaveLength(4));
    process.emit("SIGINT");
    await watching;

    expect(lines.map((l) => l.split(/\s{3,}/).slice(1))).toEqual([
      ["TYPE", "REASON", "OBJECT", "MESSAGE"],
      ["Normal", "Scheduled", "pod/web", "Scheduled web"],
      ["Normal", "Started", "pod/web", "Started web"],
      ["Normal", "Killing", "pod/web", "Killing web"],
    ]);
  });

  it("says so when there are none, and refuses a --for that names no object", async () => {
    const gw = await createFakeGateway();
    const error = vi.spyOn(console, "error").mockImplementation(() => {});
    await events(gw, { namespace: "default", allNamespaces: false, watch: false });
    expect(error).toHaveBeenCalledWith("No events found in default namespace.");
    await expect(events(gw, { namespace: "default", allNamespaces: false, for: "pods", watch: false })).rejects.toThrow(
      '--for must name one object as TYPE/NAME, e.g. pod/web, got "pods"',
    );
  });
});
