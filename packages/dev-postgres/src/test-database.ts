// Per-test databases: each test file gets a database of its own on a shared server, empty or cloned
// from a template, and drops it afterwards. Cloning a template is much faster than migrating anew.

import { randomBytes } from "node:crypto";
import { setTimeout as delay } from "node:timers/promises";
import { withClient } from "./connections.ts";
import { withDatabase } from "./database-url.ts";
import { startEphemeralServer } from "./ephemeral-server.ts";
import { TestDatabaseError } from "./errors.ts";

/** A database created for one test (file). */
export interface TestDatabase {
  name: string;
  /** The server URL pointed at this database. */
  url: string;
  /** Drops it, disconnecting any sessions still using it (`DROP DATABASE … WITH (FORCE)`). */
  drop(): Promise<void>;
}

export interface CreateTestDatabaseOptions {
  /** Clone this database (see createTemplateDatabase) instead of starting empty. */
  template?: string;
  /** Start of the generated name; lowercase letters, digits and `_`. Defaults to `test_`. */
  prefix?: string;
}

// Names stay lowercase and unquoted-safe, so every tool (psql, Prisma) accepts them as written.
const NAME_PATTERN = /^[a-z_][a-z0-9_]*$/;
// A clone fails while anyone (autovacuum, a late disconnect) is connected to the template; that passes.
const CLONE_RETRY_MS = 10_000;

/**
 * The server tests should use: TEST_DATABASE_URL, else DATABASE_URL, else a throwaway embedded
 * server started now, in which case `stop` must be called when the tests are done (afterAll).
 */
export async function testServerUrl(
  options: { env?: NodeJS.ProcessEnv; log?: (line: string) => void } = {},
): Promise<{ url: string; stop?: () => Promise<void> }> {
  const env = options.env ?? process.env;
  const configured = env.TEST_DATABASE_URL?.trim() || env.DATABASE_URL?.trim();
  if (configured) return { url: configured };
  const server = await startEphemeralServer({ log: options.log });
  return { url: server.url, stop: server.stop };
}

/**
 * Creates a database with a unique name (`<prefix><time>_<random>`) on the server of `serverUrl`,
 * connecting as that URL's user, which needs CREATEDB. With `template`, it is a copy of that
 * database. Requires PostgreSQL 13 or later (for the forced drop).
 */
export async function createTestDatabase(serverUrl: string, options: CreateTestDatabaseOptions = {}): Promise<TestDatabase> {
  const prefix = options.prefix ?? "test_";
  const name = `${prefix}${Date.now().toString(36)}_${randomBytes(4).toString("hex")}`;
  assertName(name, "prefix");
  if (options.template !== undefined) assertName(options.template, "template");
  const url = withDatabase(serverUrl, name);

  await withClient(serverUrl, async (admin) => {
    const template = options.template === undefined ? "" : ` TEMPLATE ${admin.escapeIdentifier(options.template)}`;
    const sql = `CREATE DATABASE ${admin.escapeIdentifier(name)}${template}`;
    for (let pause = 20, deadline = Date.now() + CLONE_RETRY_MS; ; pause = Math.min(pause * 2, 500)) {
      try {
        await admin.query(sql);
        return;
      } catch (error) {
        // 55006 object_in_use: "source database … is being accessed by other users".
        const inUse = (error as { code?: unknown }).code === "55006";
        if (!inUse || Date.now() + pause > deadline) throw error;
        await delay(pause);
      }
    }
  });

  return {
    name,
    url,
    drop: () => dropDatabase(serverUrl, name),
  };
}

/**
 * Builds the template database `name` once: creates it, runs `populate(url)` (migrations, fixtures),
 * closes any connections populate left open, and marks it `IS_TEMPLATE true`. Parallel callers
 * (vitest workers) serialise on a session advisory lock; those arriving after the first find the
 * template ready and return `created: false`. A half-built database left by a crash is not marked
 * as a template, so it is dropped and built again. Put a hash of the schema in `name` so a changed
 * schema gets a new template.
 */
export async function createTemplateDatabase(
  serverUrl: string,
  name: string,
  populate: (url: string) => Promise<void>,
): Promise<{ name: string; url: string; created: boolean }> {
  assertName(name, "template");
  const url = withDatabase(serverUrl, name);
  const created = await withClient(serverUrl, async (admin) => {
    const quoted = admin.escapeIdentifier(name);
    // Advisory locks are per database; every worker uses the same serverUrl, hence the same one.
    await admin.query("SELECT pg_advisory_lock(hashtext($1))", [`@repo/dev-postgres template ${name}`]);
    try {
      const existing = await admin.query<{ datistemplate: boolean }>(
        "SELECT datistemplate FROM pg_database WHERE datname = $1",
        [name],
      );
      if (existing.rows[0]?.datistemplate) return false;
      if (existing.rows[0]) await admin.query(`DROP DATABASE ${quoted} WITH (FORCE)`);

      await admin.query(`CREATE DATABASE ${quoted}`);
      try {
        await populate(url);
      } catch (cause) {
        await admin.query(`DROP DATABASE IF EXISTS ${quoted} WITH (FORCE)`).catch(() => undefined);
        throw new TestDatabaseError("TEMPLATE_FAILED", `Populating the template database "${name}" failed; it was dropped.`, {
          cause,
        });
      }
      // A pool populate forgot to close would make every clone fail with "being accessed by other users".
      await admin.query(
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()",
        [name],
      );
      await admin.query(`ALTER DATABASE ${quoted} IS_TEMPLATE true`);
      return true;
    } finally {
      await admin.query("SELECT pg_advisory_unlock(hashtext($1))", [`@repo/dev-postgres template ${name}`]);
    }
  });
  return { name, url, created };
}

/**
 * Drops a template made by createTemplateDatabase (a template cannot be dropped until unmarked).
 * Not an error when it does not exist.
 */
export async function dropTemplateDatabase(serverUrl: string, name: string): Promise<void> {
  assertName(name, "template");
  await withClient(serverUrl, async (admin) => {
    const quoted = admin.escapeIdentifier(name);
    const exists = await admin.query("SELECT 1 FROM pg_database WHERE datname = $1", [name]);
    if (!exists.rowCount) return;
    await admin.query(`ALTER DATABASE ${quoted} IS_TEMPLATE false`);
    await admin.query(`DROP DATABASE IF EXISTS ${quoted} WITH (FORCE)`);
  });
}

async function dropDatabase(serverUrl: string, name: string): Promise<void> {
  await withClient(serverUrl, async (admin) => {
    await admin.query(`DROP DATABASE IF EXISTS ${admin.escapeIdentifier(name)} WITH (FORCE)`);
  });
}

function assertName(name: string, what: "prefix" | "template"): void {
  if (!NAME_PATTERN.test(name) || name.length > 63) {
    throw new TestDatabaseError(
      "INVALID_NAME",
      `Database name "${name}" (from the ${what}) must be at most 63 characters of lowercase letters, digits and _, ` +
        "not starting with a digit.",
    );
  }
}
