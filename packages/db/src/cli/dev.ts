// `pnpm dev`'s database step: a database (DATABASE_URL, or the embedded PostgreSQL started or reused),
// every migration applied by the migrator's engine, and a summary of what is there. The API's dev flow
// (apps/api/src/dev) calls deployDevDatabase, then seeds and starts the API.
import { realpathSync } from "node:fs";
import { pathToFileURL } from "node:url";
import { redactUrl, resolveDatabaseUrl } from "@repo/dev-postgres";
import { deploy } from "@repo/migrate";
import pg from "pg";
import { createDb } from "../client.ts";
import { dataMigrationsDir, migrationsDir } from "../paths.ts";

async function summary(url: string): Promise<string> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const migrations = await client.query<{ migration_name: string }>(
      "SELECT migration_name FROM _prisma_migrations WHERE finished_at IS NOT NULL AND rolled_back_at IS NULL ORDER BY migration_name",
    );
    const tables = await client.query<{ table_name: string; rows: string }>(
      `SELECT c.relname AS table_name, c.reltuples::bigint::text AS rows FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
       WHERE n.nspname = current_schema() AND c.relkind = 'r' AND c.relname NOT LIKE '\\_%' ORDER BY 1`,
    );
    const names = migrations.rows.map((row) => `    ${row.migration_name}`).join("\n");
    return [
      "",
      "Database ready",
      `  URL         ${redactUrl(url)}`,
      `  Migrations  ${migrations.rowCount} applied`,
      names,
      `  Tables      ${tables.rows.map((row) => row.table_name).join(", ")}`,
      "",
      "Next: edit packages/db/schema.prisma, then `pnpm db:migrate dev --name <what_changed>`.",
      "The full URL (with password) for psql and other tools: `pnpm -s db:local url`.",
      "",
    ].join("\n");
  } finally {
    await client.end();
  }
}

/**
 * Applies every schema and data migration to `url` (the migrator's engine, under its lock), then prints
 * a summary on stdout. Returns 0 when the database is ready, 1 when a migration failed (said on stderr).
 */
export async function deployDevDatabase(url: string): Promise<number> {
  const log = (message: string) => process.stderr.write(`${message}\n`);
  const result = await deploy({
    url,
    migrationsDir,
    dataMigrationsDir,
    dataClient: (databaseUrl) => {
      const client = createDb({ url: databaseUrl, poolSize: 2, applicationName: "dev (data migrations)" });
      return Promise.resolve({ client, close: () => client.$disconnect() });
    },
    applicationName: "dev",
    log: { info: log, warn: log, debug: () => {} },
  });
  if (!result.ok) {
    const failed = result.steps.find((step) => step.error);
    process.stderr.write(`${failed?.error?.message ?? "Deploy failed."}\n${failed?.error?.hint ?? ""}\n`);
    return 1;
  }
  process.stdout.write(await summary(url));
  return 0;
}

async function main(): Promise<number> {
  const { url } = await resolveDatabaseUrl();
  return deployDevDatabase(url);
}

// Run as a script (`tsx src/cli/dev.ts`), not when imported.
const entry = process.argv[1];
if (entry && import.meta.url === pathToFileURL(realpathSync(entry)).href) {
  main().then(
    (code) => process.exit(code),
    (error: unknown) => {
      process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
      process.exit(1);
    },
  );
}
