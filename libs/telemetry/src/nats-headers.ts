import { type Context, type TextMapGetter, type TextMapSetter, context } from "@opentelemetry/api";
import type { MsgHdrs } from "@nats-io/transport-node";
import { extractFrom, injectInto } from "./trace-context.js";

const headersSetter: TextMapSetter<MsgHdrs> = {
  set: (h, key, value) => h.set(key, value),
};

// Header names are case-insensitive in W3C trace context, but MsgHdrs.get matches exactly.
const headersGetter: TextMapGetter<MsgHdrs | undefined> = {
  keys: (h) => h?.keys() ?? [],
  get: (h, key) => {
    if (!h) return undefined;
    const name = h.keys().find((k) => k.toLowerCase() === key);
    return name === undefined ? undefined : h.get(name);
  },
};

/** Writes the given context (default: the active one) into NATS message headers. */
export function injectIntoHeaders(h: MsgHdrs, ctx: Context = context.active()): MsgHdrs {
  return injectInto(h, headersSetter, ctx);
}

/** The context a NATS message handler continues: the publisher's span as remote parent. */
export function contextFromHeaders(h?: MsgHdrs): Context {
  return extractFrom(h, headersGetter);
}
