// Shared by the Prisma CLI tests: a temporary copy of this package (schema, config, migrations) to
// edit freely, a database for it, and the CLI run through the WebAssembly engine bridge.
import { cp, mkdtemp, readFile, rm, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { createTestDatabase, sqlOn } from "@repo/dev-postgres";
import { runPrisma, SHADOW_DATABASE_PREFIX, shadowDescription, type PrismaRun } from "@repo/prisma-engine";
import pg from "pg";
import { inject, onTestFinished } from "vitest";
import { createDb } from "../src/client.ts";
import { migrationsDir, packageDir, schemaPath } from "../src/paths.ts";

export interface PackageCopy {
  dir: string;
  url: string;
  /** Runs `prisma <args>` in the copy against its database (or `env` overrides). */
  prisma(args: string[], env?: NodeJS.ProcessEnv): Promise<PrismaRun>;
  /** Runs SQL on the copy's database. */
  sql<T extends pg.QueryResultRow = Record<string, unknown>>(text: string): Promise<T[]>;
  editSchema(edit: (schema: string) => string): Promise<void>;
  migrationFolders(): Promise<string[]>;
  writeMigration(name: string, sql: string): Promise<void>;
}

export { sqlOn };

/**
 * The shadow databases on the run's server made for the database at `url` (tests run in parallel:
 * other files' shadow databases come and go meanwhile).
 */
export async function shadowDatabasesOf(url: string): Promise<string[]> {
  const database = decodeURIComponent(new URL(url).pathname.slice(1));
  const rows = await sqlOn<{ datname: string }>(
    inject("serverUrl"),
    `SELECT datname FROM pg_database WHERE datname LIKE '${SHADOW_DATABASE_PREFIX}%' AND shobj_description(oid, 'pg_database') = '${shadowDescription(database).replaceAll("'", "''")}'`,
  );
  return rows.map((row) => row.datname);
}

/** A copy of @repo/db with its own empty database; both removed when the test ends. */
export async function copyPackage(options: { withMigrations?: boolean } = {}): Promise<PackageCopy> {
  const dir = await mkdtemp(path.join(tmpdir(), "repo-db-"));
  await cp(schemaPath, path.join(dir, "schema.prisma"));
  await cp(path.join(packageDir, "prisma.config.ts"), path.join(dir, "prisma.config.ts"));
  if (options.withMigrations !== false) await cp(migrationsDir, path.join(dir, "migrations"), { recursive: true });
  // prisma.config.ts imports "prisma/config": resolve it from this package's dependencies.
  await symlink(path.join(packageDir, "node_modules"), path.join(dir, "node_modules"), "dir");
  const db = await createTestDatabase(inject("serverUrl"), { prefix: "clidb_" });
  onTestFinished(async () => {
    await db.drop();
    await rm(dir, { recursive: true, force: true });
  });
  const copy: PackageCopy = {
    dir,
    url: db.url,
    prisma: (args, env) => runPrisma(args, { cwd: dir, stdio: "pipe", env: { ...process.env, DATABASE_URL: db.url, NO_COLOR: "1", ...env } }),
    sql: (text) => sqlOn(db.url, text),
    async editSchema(edit) {
      const file = path.join(dir, "schema.prisma");
      await writeFile(file, edit(await readFile(file, "utf8")));
    },
    async migrationFolders() {
      const { readdir } = await import("node:fs/promises");
      const entries = await readdir(path.join(dir, "migrations"), { withFileTypes: true }).catch(() => []);
      return entries.filter((entry) => entry.isDirectory()).map((entry) => entry.name).sort();
    },
    async writeMigration(name, sql) {
      const { mkdir } = await import("node:fs/promises");
      await mkdir(path.join(dir, "migrations", name), { recursive: true });
      await writeFile(path.join(dir, "migrations", name, "migration.sql"), sql);
    },
  };
  return copy;
}

/** stdout and stderr together, as a user reads them. */
export const output = (run: PrismaRun) => `${run.stdout}\n${run.stderr}`;

/** The Prisma client data migrations get, as the migrator gives it. */
export async function prismaClient(url: string) {
  const client = createDb({ url, poolSize: 2 });
  return { client, close: () => client.$disconnect() };
}
