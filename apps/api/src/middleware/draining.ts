// While the server drains before exiting, each response asks the client to close its keep-alive
// connection, so connections end as their last request does instead of waiting for the hard deadline.
import type { MiddlewareHandler } from "hono";
import type { AppEnv } from "../app-env.ts";

export function closeConnectionsWhile(draining: () => boolean): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    await next();
    if (draining()) c.header("Connection", "close");
  };
}
