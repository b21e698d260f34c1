// `pnpm dev`: a database (DATABASE_URL, or the embedded PostgreSQL started or reused), every migration
// applied by the migrator's engine, and a summary of what is there. Later steps (the API in watch
// mode) build on this.
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

async function main(): Promise<number> {
  const { url } = await resolveDatabaseUrl();
  const log = (message: string) => process.stderr.write(`${message}\n`);
  const result = await deploy({
    url,
    migrationsDir,
    dataMigrationsDir,
    dataClient: async (databaseUrl) => {
      const client = createDb({ url: databaseUrl, poolSize: 2, applicationName: "dev (data migrations)" });
      return { client, close: () => client.$disconnect() };
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

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  },
);
