// @repo/prisma-engine: Prisma's schema engine (WebAssembly) behind the native engine's interface, for
// the Prisma CLI (see bin/schema-engine.js) and, through the functions below, for the rest of the repo.
import type { DiffTarget, SchemaPushOutput } from "@prisma/schema-engine-wasm";
import { readFile } from "node:fs/promises";
import path from "node:path";
import { withSchemaEngine } from "./engine-session.ts";
import { readMigrationsFolder } from "./migrations-folder.ts";

export { SchemaEngineError, withSchemaEngine, type EngineSessionOptions } from "./engine-session.ts";
export { parseConnectionUrl } from "./connection-config.ts";
export { readMigrationsFolder } from "./migrations-folder.ts";
export { SHADOW_DATABASE_PREFIX, shadowDescription } from "./pg-adapter/shadow-databases.ts";
export { prismaEnv, runPrisma, schemaEngineBinary, type PrismaRun, type RunPrismaOptions } from "./prisma-cli.ts";
export { engineVersion } from "./wasm-engine.ts";

/** One side of a diff. `database` is the database at `url`. */
export type SchemaState =
  | { kind: "empty" }
  | { kind: "schema"; files: string[] }
  | { kind: "migrations"; dir: string }
  | { kind: "database" };

const noFilter = { externalTables: [], externalEnums: [] };

async function toDiffTarget(state: SchemaState): Promise<DiffTarget> {
  switch (state.kind) {
    case "empty":
      return { tag: "empty" };
    case "schema":
      return {
        tag: "schemaDatamodel",
        files: await Promise.all(state.files.map(async (file) => ({ path: path.resolve(file), content: await readFile(file, "utf8") }))),
      };
    case "migrations":
      return { tag: "migrations", ...(await readMigrationsFolder(path.resolve(state.dir))) };
    case "database":
      // The engine reads "the datasource's database" through its adapter, i.e. `url`.
      return {
        tag: "schemaDatasource",
        configDir: process.cwd(),
        files: [{ path: "datasource.prisma", content: 'datasource db {\n  provider = "postgresql"\n}\n' }],
      };
  }
}

export interface DiffOptions {
  /** The database: the `database` state, and the server where shadow databases are made for `migrations`. */
  url: string;
  shadowDatabaseUrl?: string;
  from: SchemaState;
  to: SchemaState;
}

/**
 * The SQL script that takes `from` to `to` (empty when they match). Replaying a migrations folder
 * creates, then drops, a temporary shadow database beside `url`'s database.
 */
export async function diffToSql(options: DiffOptions): Promise<string> {
  return withSchemaEngine({ url: options.url, shadowDatabaseUrl: options.shadowDatabaseUrl }, async (engine) => {
    const result = await engine.diff({
      from: await toDiffTarget(options.from),
      to: await toDiffTarget(options.to),
      script: true,
      shadowDatabaseUrl: options.shadowDatabaseUrl ?? null,
      exitCode: null,
      filters: noFilter,
    } as Parameters<typeof engine.diff>[0]);
    const script = result.stdout ?? "";
    // An empty diff is rendered as a comment line only.
    return /^\s*(--[^\n]*\s*)*$/.test(script) ? "" : script;
  });
}

export interface PushOptions {
  url: string;
  schemaFiles: string[];
  /** Apply changes that lose data (dropping a column with values…). Default false: such a push fails. */
  acceptDataLoss?: boolean;
}

/**
 * Makes the database match the schema without migration history (`prisma db push`): for development
 * and tests. Fails, changing nothing, when the change would lose data unless `acceptDataLoss`.
 */
export async function pushSchema(options: PushOptions): Promise<SchemaPushOutput> {
  return withSchemaEngine({ url: options.url, schemaFiles: options.schemaFiles }, async (engine) => {
    const files = await Promise.all(options.schemaFiles.map(async (file) => ({ path: path.resolve(file), content: await readFile(file, "utf8") })));
    const result = await engine.schemaPush({ force: options.acceptDataLoss ?? false, schema: { files }, filters: noFilter });
    if (result.unexecutable.length || (result.warnings.length && !options.acceptDataLoss)) {
      const reasons = [...result.unexecutable, ...result.warnings].join("\n- ");
      throw new Error(`The schema push was not applied:\n- ${reasons}\nPass acceptDataLoss to apply it anyway.`);
    }
    return result;
  });
}

/** Applies the folder's pending migrations to `url` (`prisma migrate deploy`). Returns their names. */
export async function applyMigrations(options: { url: string; migrationsDir: string }): Promise<string[]> {
  return withSchemaEngine({ url: options.url }, async (engine) => {
    const result = await engine.applyMigrations({ migrationsList: await readMigrationsFolder(path.resolve(options.migrationsDir)), filters: noFilter });
    return result.appliedMigrationNames;
  });
}
