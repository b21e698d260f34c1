// Opening a connection for the engine, with connection failures mapped to the engine's error kinds.
import pg from "pg";
import type { ConnectionTarget } from "../connection-config.ts";
import { rethrowAsAdapterError } from "./errors.ts";

export interface ConnectionFailure {
  error: unknown;
  target: ConnectionTarget;
}

let lastFailure: ConnectionFailure | undefined;

/**
 * The last connection attempt that failed, if no attempt succeeded since. The wasm engine words
 * connection failures without Prisma's codes ("Database not reachable: …"); the bridge rebuilds
 * P1000/P1001/P1003 from this record.
 */
export function takeLastConnectionFailure(): ConnectionFailure | undefined {
  const failure = lastFailure;
  lastFailure = undefined;
  return failure;
}

/** Opens one connection; connection failures become the engine's P1000/P1001/P1003 errors. */
export async function connect(target: ConnectionTarget): Promise<pg.Client> {
  const client = new pg.Client(target.config);
  // A dropped connection emits 'error' on the client; without a listener Node would crash.
  client.on("error", () => {});
  try {
    await client.connect();
  } catch (error) {
    lastFailure = { error, target };
    await client.end().catch(() => {});
    rethrowAsAdapterError(error);
  }
  lastFailure = undefined;
  return client;
}
