/** One Kubernetes API request as the handlers see it: its resource, query, body and caller. */
import type { IncomingMessage, ServerResponse } from "node:http";
import { parse as parseYaml } from "yaml";
import type { CallContext } from "../object-service.js";
import type { ResourcePath } from "./resource-path.js";
import { badRequest, KubeApiError, unsupportedMediaType, type StatusTarget } from "./status.js";

export interface KubeRequest {
  readonly method: string;
  readonly path: ResourcePath;
  /** The object the request is about; a create names it in its body. */
  readonly target: StatusTarget;
  readonly query: URLSearchParams;
  readonly accept: string | undefined;
  readonly contentType: string;
  readonly ctx: CallContext;
  readonly http: IncomingMessage;
  readonly res: ServerResponse;
  /** The apiserver's --min-request-timeout: a watch naming no timeoutSeconds lasts a random 1 to 2 times this. */
  readonly minRequestTimeoutSeconds: number;
}

/** The largest body the API reads: Kubernetes' limit of 3 MiB per request. */
const MAX_BODY_BYTES = 3 * 1024 * 1024;

/** Server-side apply's patch type: a YAML (or JSON, which YAML reads) configuration. */
export const APPLY_PATCH = "application/apply-patch+yaml";

/**
 * The request's JSON body (YAML for an apply patch); undefined when it has none. A body in another format
 * (the protobuf kubectl's typed clients send first) is refused with 415, after which client-go sends JSON.
 */
export async function jsonBody(req: IncomingMessage): Promise<unknown> {
  const type = (req.headers["content-type"] ?? "application/json").split(";")[0]!.trim().toLowerCase();
  const yaml = type === APPLY_PATCH;
  if (type !== "application/json" && !type.endsWith("+json") && !yaml) throw unsupportedMediaType(type, ["application/json"]);
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY_BYTES) throw new KubeApiError(413, "RequestEntityTooLarge", `the request body is larger than ${MAX_BODY_BYTES} bytes`);
    chunks.push(chunk);
  }
  const text = Buffer.concat(chunks).toString("utf8");
  if (text.trim() === "") return undefined;
  try {
    return yaml ? (parseYaml(text) as unknown) : (JSON.parse(text) as unknown);
  } catch (e) {
    throw badRequest(`the request body is not ${yaml ? "YAML" : "JSON"}: ${e instanceof Error ? e.message : String(e)}`);
  }
}

/** A boolean query parameter as the apiserver reads one: "true" or "1" (and "" for a bare `?watch`). */
export function booleanParam(query: URLSearchParams, name: string): boolean {
  const raw = query.get(name);
  if (raw === null || raw === "false" || raw === "0") return false;
  if (raw === "" || raw === "true" || raw === "1") return true;
  throw badRequest(`${name}: Invalid value "${raw}": must be true or false`);
}

/** A non-negative integer query parameter; undefined when absent. */
export function integerParam(query: URLSearchParams, name: string): number | undefined {
  const raw = query.get(name);
  if (raw === null || raw === "") return undefined;
  const n = Number(raw);
  if (!/^[0-9]+$/.test(raw) || !Number.isSafeInteger(n)) throw badRequest(`${name}: Invalid value "${raw}": must be a non-negative integer`);
  return n;
}

export function sendJson(res: ServerResponse, code: number, body: unknown, contentType = "application/json"): void {
  const text = JSON.stringify(body);
  res.writeHead(code, { "Content-Type": contentType, "Content-Length": Buffer.byteLength(text) });
  res.end(text);
}
