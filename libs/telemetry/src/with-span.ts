import {
  type Attributes,
  type Context,
  type Span,
  type Tracer,
  SpanStatusCode,
  context,
} from "@opentelemetry/api";
import { ATTR_ERROR_TYPE } from "@opentelemetry/semantic-conventions";

/**
 * Runs `fn` in a new active span, a child of `parent` (default: the active context). A thrown error
 * is recorded on the span, sets its status to ERROR and is rethrown; the span always ends.
 */
export function withSpan<T>(
  tracer: Tracer,
  name: string,
  attributes: Attributes,
  fn: (span: Span) => Promise<T>,
  parent: Context = context.active(),
): Promise<T> {
  return tracer.startActiveSpan(name, { attributes }, parent, async (span) => {
    try {
      return await fn(span);
    } catch (err) {
      recordError(span, err);
      throw err;
    } finally {
      span.end();
    }
  });
}

function recordError(span: Span, err: unknown): void {
  if (err instanceof Error) {
    span.recordException(err);
    span.setAttribute(ATTR_ERROR_TYPE, errorType(err));
    span.setStatus({ code: SpanStatusCode.ERROR, message: err.message });
  } else {
    span.recordException(String(err));
    span.setAttribute(ATTR_ERROR_TYPE, "_OTHER");
    span.setStatus({ code: SpanStatusCode.ERROR, message: String(err) });
  }
}

// Capstan errors carry a stable `code` (NotFound, Conflict, ...); prefer it to the class name.
function errorType(err: Error): string {
  const code = (err as { code?: unknown }).code;
  return typeof code === "string" ? code : err.name;
}
