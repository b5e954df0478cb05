/**
 * `?watch=1`: a chunked stream of JSON lines (`{"type":"ADDED","object":{…}}`) through ObjectService.watch,
 * the same watch the gRPC API serves. From resourceVersion "" or "0" it first sends the current objects as
 * ADDED, as the apiserver does. A revision the stream or the compacted log no longer holds answers 200
 * and one ERROR event whose object is the 410 Expired Status, as the apiserver's watch cache does
 * (its errWatcher); the client re-lists. With allowWatchBookmarks, BOOKMARK events carry only the
 * revision the watch has reached, every minute and just before the watch's end, as the apiserver's
 * cacheWatcher sends them. A watch lasts timeoutSeconds, or 1 to 2 times the min-request-timeout.
 */
import { fromApiObject, kindInfo, type WatchEvent } from "@capstan/api";
import type { JsonObject } from "@capstan/apimachinery";
import type { ObjectService } from "../object-service.js";
import type { KubeRequest } from "./request.js";
import { booleanParam, integerParam } from "./request.js";
import { statusOf } from "./status.js";
import { includeObjectOf, toTable, wantsTable } from "./table.js";

/** The apiserver's bookmarkFrequency: how often a quiet watch that allows bookmarks gets one. */
export const BOOKMARK_INTERVAL_MS = 60_000;
/** How long before its end a watch gets its last bookmark (the apiserver's pretimeout). */
export const BOOKMARK_BEFORE_END_MS = 2_000;

export async function serveWatch(service: ObjectService, req: KubeRequest): Promise<void> {
  const { info, namespace } = req.path;
  const table = wantsTable(req.accept);
  const includeObject = includeObjectOf(req.query.get("includeObject"));
  const bookmarks = booleanParam(req.query, "allowWatchBookmarks");
  const durationMs = watchDurationMs(integerParam(req.query, "timeoutSeconds"), req.minRequestTimeoutSeconds, Math.random());
  const selection = {
    kind: info.kind,
    namespace,
    labelSelector: req.query.get("labelSelector") ?? "",
    fieldSelector: req.query.get("fieldSelector") ?? "",
  };
  const abort = new AbortController();
  req.res.on("close", () => abort.abort());
  const end = Date.now() + durationMs;
  const timer = setTimeout(() => abort.abort(), durationMs);
  // The revision every event up to which this watch has sent: what a bookmark may claim at least.
  let reached = 0;

  const send = (type: string, object: JsonObject, resourceVersion: string) => {
    const shown = table && type !== "ERROR" && type !== "BOOKMARK" ? toTable(info.kind, [object], includeObject, { resourceVersion }) : object;
    return req.res.write(`${JSON.stringify({ type, object: shown })}\n`);
  };
  req.res.writeHead(200, { "Content-Type": table ? "application/json;as=Table;v=v1;g=meta.k8s.io" : "application/json", "Transfer-Encoding": "chunked" });
  // Now, not with the first event: a client (kubectl wait's informer) waits for the answer before it relies on the watch.
  req.res.flushHeaders();
  let bookmarkTimer: NodeJS.Timeout | undefined;
  const scheduleBookmark = (now: number) => {
    const at = nextBookmarkAt(now, end);
    if (at === undefined) return;
    bookmarkTimer = setTimeout(() => {
      void bookmarkRevision(service, selection, reached).then((revision) => {
        if (abort.signal.aborted) return;
        reached = Math.max(reached, revision);
        send("BOOKMARK", bookmarkObject(info.kind, reached), String(reached));
        scheduleBookmark(Date.now());
      }, () => scheduleBookmark(Date.now()));
    }, at - now);
  };
  try {
    let resourceVersion = req.query.get("resourceVersion") ?? "";
    if (resourceVersion === "" || resourceVersion === "0") {
      const list = await service.list(selection);
      for (const item of list.items) send("ADDED", fromApiObject(item).json, list.resourceVersion);
      resourceVersion = list.resourceVersion;
    }
    const from = Number(resourceVersion);
    if (Number.isSafeInteger(from)) reached = from;
    const events = service.watch({ ...selection, resourceVersion }, abort.signal, "http");
    if (bookmarks) scheduleBookmark(Date.now());
    for await (const event of events) {
      reached = Math.max(reached, Number(event.resourceVersion));
      if (!send(event.type, jsonOf(event), event.resourceVersion)) await drained(req);
    }
  } catch (e) {
    if (!abort.signal.aborted) send("ERROR", { ...statusOf(e) }, "");
  } finally {
    clearTimeout(timer);
    clearTimeout(bookmarkTimer);
    req.res.end();
  }
}

/**
 * How long a watch lasts: timeoutSeconds when given (0 is unset), else a random 1 to 2 times the
 * min-request-timeout, as the apiserver spreads its watches' ends so clients do not re-watch at once.
 */
export function watchDurationMs(timeoutSeconds: number | undefined, minRequestTimeoutSeconds: number, random: number): number {
  if (timeoutSeconds !== undefined && timeoutSeconds > 0) return timeoutSeconds * 1000;
  return Math.round(minRequestTimeoutSeconds * (1 + random) * 1000);
}

/** When the next bookmark is due: a minute on, or just before the end if that comes first; none once that is past. */
export function nextBookmarkAt(now: number, end: number): number | undefined {
  const beforeEnd = end - BOOKMARK_BEFORE_END_MS;
  if (beforeEnd <= now) return undefined;
  return Math.min(now + BOOKMARK_INTERVAL_MS, beforeEnd);
}

/**
 * The revision a bookmark may claim: the log's head when no object of the kind (in the namespace)
 * changed since what the watch sent — nothing of the selection can still be on its way — else what it sent.
 */
async function bookmarkRevision(service: ObjectService, selection: { kind: string; namespace: string }, reached: number): Promise<number> {
  // Where a watch from now would start: the log's head.
  const head = await service.watchFrom("");
  return head > reached && !(await service.changedSince(selection.kind, selection.namespace, reached, head)) ? head : reached;
}

/** A bookmark's object: the kind with only its resourceVersion, as the apiserver sends it. */
export function bookmarkObject(kind: string, revision: number): JsonObject {
  return { kind, apiVersion: kindInfo(kind).apiVersion, metadata: { resourceVersion: String(revision) } };
}

/** Until the client took what was written, or went away. */
function drained(req: KubeRequest): Promise<void> {
  return new Promise((resolve) => {
    req.res.once("drain", resolve);
    req.res.once("close", resolve);
  });
}

function jsonOf(event: WatchEvent): JsonObject {
  if (!event.object) throw new Error(`watch event ${event.resourceVersion} carries no object`);
  return fromApiObject(event.object).json;
}
