// Opening a connection for the engine, with connection failures mapped to the engine's error kinds.
import pg from "pg";
import type { ConnectionTarget } from "../connection-config.ts";
import { rethrowAsAdapterError } from "./errors.ts";

/** Opens one connection; connection failures become the engine's P1000/P1001/P1003 errors. */
export async function connect(target: ConnectionTarget): Promise<pg.Client> {
  const client = new pg.Client(target.config);
  // A dropped connection emits 'error' on the client; without a listener Node would crash.
  client.on("error", () => {});
  try {
    await client.connect();
  } catch (error) {
    await client.end().catch(() => {});
    rethrowAsAdapterError(error);
  }
  return client;
}
