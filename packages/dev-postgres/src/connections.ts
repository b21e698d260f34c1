// Short-lived admin connections: asking whether a server answers (and whether it is ours), waiting
// until it accepts connections, and creating a database idempotently.

import { setTimeout as delay } from "node:timers/promises";
import pg from "pg";

/** What a connection attempt revealed about the server at a URL. */
export type ProbeResult =
  | { state: "ready"; dataDirectory: string; serverVersion: string }
  /** Nothing listens there (connection refused). */
  | { state: "absent" }
  /** A PostgreSQL is there but starting up, recovering or shutting down. */
  | { state: "starting" }
  /** Something answered but did not let us in: wrong password, not PostgreSQL, no answer in time. */
  | { state: "refused"; reason: string };

/** Opens a connection, runs `use`, and always closes the connection again. */
export async function withClient<T>(url: string, use: (client: pg.Client) => Promise<T>, timeoutMs = 10_000): Promise<T> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: timeoutMs });
  // An idle client whose server goes away emits 'error'; without a listener that would crash the process.
  client.on("error", () => undefined);
  await client.connect();
  try {
    return await use(client);
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** Tries one connection to `url` and classifies the outcome; it never throws. */
export async function probe(url: string, timeoutMs = 3_000): Promise<ProbeResult> {
  try {
    return await withClient(
      url,
      async (client) => {
        // data_directory tells our server apart from another embedded server holding the port.
        const result = await client.query<{ data_directory: string; server_version: string }>(
          "SELECT current_setting('data_directory') AS data_directory, current_setting('server_version') AS server_version",
        );
        const row = result.rows[0];
        return { state: "ready", dataDirectory: row?.data_directory ?? "", serverVersion: row?.server_version ?? "" };
      },
      timeoutMs,
    );
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    if (code === "ECONNREFUSED") return { state: "absent" };
    if (code === "57P03") return { state: "starting" }; // cannot_connect_now
    return { state: "refused", reason: error instanceof Error ? error.message : String(error) };
  }
}

/**
 * Probes `url` until the server is ready or something other than "still starting" happens,
 * retrying with a short backoff until `deadline` (a Date.now() value), or until `gaveUp()` says
 * waiting is pointless (the server process exited). Returns the last result.
 */
export async function waitUntilReady(url: string, deadline: number, gaveUp: () => boolean = () => false): Promise<ProbeResult> {
  for (let pause = 10; ; pause = Math.min(pause * 2, 250)) {
    const result = await probe(url);
    const transient = result.state === "starting" || result.state === "absent";
    if (!transient || gaveUp() || Date.now() + pause > deadline) return result;
    await delay(pause);
  }
}

/** Creates `database` unless it exists; safe when several processes do it at once. */
export async function ensureDatabase(adminUrl: string, database: string): Promise<boolean> {
  return withClient(adminUrl, async (client) => {
    const existing = await client.query("SELECT 1 FROM pg_database WHERE datname = $1", [database]);
    if (existing.rowCount) return false;
    try {
      await client.query(`CREATE DATABASE ${client.escapeIdentifier(database)}`);
      return true;
    } catch (error) {
      // Another process created it between our check and our CREATE: 42P04 duplicate_database,
      // or 23505 when both inserts reached pg_database at the same moment.
      const code = (error as { code?: unknown }).code;
      if (code === "42P04" || code === "23505") return false;
      throw error;
    }
  });
}
