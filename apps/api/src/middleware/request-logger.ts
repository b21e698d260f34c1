// One log line per request (method, path, status, duration) bound to its request id, and a logger on
// the context so handlers and the error handler log with the same id.
import type { MiddlewareHandler } from "hono";
import type { Logger } from "pino";
import type { AppEnv } from "../app-env.ts";

export function requestLogger(logger: Logger): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const started = performance.now();
    const log = logger.child({ requestId: c.get("requestId") });
    c.set("log", log);
    await next();
    const status = c.res.status;
    const line = { method: c.req.method, path: c.req.path, status, durationMs: Math.round((performance.now() - started) * 10) / 10 };
    if (status >= 500) log.error(line, "request failed");
    else log.info(line, "request");
  };
}
