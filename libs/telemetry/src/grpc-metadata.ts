import { type Context, type TextMapGetter, type TextMapSetter, context } from "@opentelemetry/api";
import { InterceptingCall, type Interceptor, type Metadata } from "@grpc/grpc-js";
import { extractFrom, injectInto } from "./trace-context.js";

const metadataSetter: TextMapSetter<Metadata> = {
  set: (metadata, key, value) => metadata.set(key, value),
};

const metadataGetter: TextMapGetter<Metadata> = {
  keys: (metadata) => Object.keys(metadata.getMap()),
  get: (metadata, key) => {
    const values = metadata.get(key).map((v) => (typeof v === "string" ? v : v.toString("utf8")));
    if (values.length === 0) return undefined;
    return values.length === 1 ? values[0] : values;
  },
};

/** Writes the given context (default: the active one) into outgoing gRPC metadata. */
export function injectIntoMetadata(metadata: Metadata, ctx: Context = context.active()): Metadata {
  return injectInto(metadata, metadataSetter, ctx);
}

/** The context a gRPC server handler continues: the caller's span as remote parent. */
export function contextFromMetadata(metadata: Metadata): Context {
  return extractFrom(metadata, metadataGetter);
}

/**
 * A client interceptor that sends the caller's active trace context with every call. The context is
 * captured when the call is created, which is synchronous with the caller's code.
 */
export const traceClientInterceptor: Interceptor = (options, nextCall) => {
  const callerContext = context.active();
  return new InterceptingCall(nextCall(options), {
    start: (metadata, listener, next) => {
      injectIntoMetadata(metadata, callerContext);
      next(metadata, listener);
    },
  });
};
