// Shared by the integration tests: temp project roots, free ports, the configured server, queries.

import { chmod, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";

export { freePort } from "../src/free-port.ts";

/** The shared server for test databases: TEST_DATABASE_URL, else the machine's PostgreSQL on 5432. */
export const configuredServerUrl = process.env.TEST_DATABASE_URL?.trim() || "postgresql://postgres@127.0.0.1:5432/postgres";

/**
 * A fresh folder to act as a project root. mkdtemp makes it 0700; widened to 0755 because, when the
 * tests run as root, PostgreSQL runs as the `postgres` OS user and must be able to enter it.
 */
export async function tempRoot(): Promise<{ dir: string; remove(): Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), "dev-postgres-test-"));
  await chmod(dir, 0o755);
  return { dir, remove: () => rm(dir, { recursive: true, force: true }) };
}

/** Runs one query on a fresh connection and returns its rows. */
export async function query<T extends pg.QueryResultRow = pg.QueryResultRow>(url: string, sql: string): Promise<T[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<T>(sql)).rows;
  } finally {
    await client.end();
  }
}

/** Collects log lines instead of printing them. */
export function collectLog(): { lines: string[]; log: (line: string) => void } {
  const lines: string[] = [];
  return { lines, log: (line) => lines.push(line) };
}
