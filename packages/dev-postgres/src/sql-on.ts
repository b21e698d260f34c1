// One statement on a connection of its own, for tests and tools that look at a database from outside
// the code under test (its own pool would hide what a fresh session sees).
import pg from "pg";

/** Runs `text` with `values` on a new connection to `url`, closed afterwards; resolves with the rows. */
export async function sqlOn<T extends pg.QueryResultRow = Record<string, unknown>>(url: string, text: string, values?: unknown[]): Promise<T[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<T>(text, values)).rows;
  } finally {
    await client.end();
  }
}
