// Puts the app on a socket and takes it off gracefully: stop accepting, let requests in flight finish
// (each response then closes its connection), force-close what remains after a deadline, close the pool.
import type { AddressInfo } from "node:net";
import type { Server } from "node:http";
import { createAdaptorServer } from "@hono/node-server";
import type { Logger } from "pino";
import type { Api } from "./app.ts";

export interface ListenOptions {
  port: number;
  host: string;
  logger: Logger;
  /** How long requests in flight may take to finish after close() before their connections are cut. */
  shutdownTimeoutMs: number;
}

export interface RunningServer {
  /** `http://host:port`, with the port actually bound (for port 0). */
  url: string;
  port: number;
  /** Drains and stops; resolves once the server and the database pool are closed. Safe to call twice. */
  close(): Promise<void>;
}

export class ListenError extends Error {
  override readonly name = "ListenError";
}

/** Starts listening. Rejects with a ListenError naming the problem (port taken, no permission). */
export async function listen(api: Api, options: ListenOptions): Promise<RunningServer> {
  const server = createAdaptorServer({ fetch: api.app.fetch, port: options.port, hostname: options.host }) as Server;
  await new Promise<void>((resolve, reject) => {
    const onError = (error: NodeJS.ErrnoException) => {
      const reason =
        error.code === "EADDRINUSE"
          ? `port ${options.port} on ${options.host} is already in use: stop the other process or set PORT`
          : error.code === "EACCES"
            ? `no permission to listen on port ${options.port}: use a port above 1023 or set PORT`
            : error.message;
      reject(new ListenError(`Cannot listen: ${reason}.`, { cause: error }));
    };
    server.once("error", onError);
    server.listen(options.port, options.host, () => {
      server.off("error", onError);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  const shownHost = options.host === "0.0.0.0" || options.host === "::" ? "localhost" : options.host.includes(":") ? `[${options.host}]` : options.host;

  let closing: Promise<void> | undefined;
  const close = () =>
    (closing ??= (async () => {
      const { logger } = options;
      const started = performance.now();
      api.startDraining();
      logger.info({ timeoutMs: options.shutdownTimeoutMs }, "shutting down: no new connections, draining requests in flight");
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      const deadline = setTimeout(() => {
        logger.warn("shutdown deadline reached: closing the remaining connections");
        server.closeAllConnections();
      }, options.shutdownTimeoutMs);
      await closed;
      clearTimeout(deadline);
      await api.close();
      logger.info({ durationMs: Math.round(performance.now() - started) }, "stopped");
    })());

  return { url: `http://${shownHost}:${port}`, port, close };
}
