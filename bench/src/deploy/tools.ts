// The contenders, each as the command line a user or a container would run: the migrator from the
// workspace (TypeScript through tsx) and as it ships (the production build, `pnpm build`), `prisma
// migrate deploy` on the wasm bridge, and psql as the floor.
import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdir, symlink, writeFile } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { prismaEnv } from "@repo/prisma-engine";
import { buildMigrator } from "@repo/migrator/build";
import type { Fixture } from "./fixtures.ts";
import { prismaPackageDir } from "./fixtures.ts";
import type { Command } from "./measure.ts";

export const REPO_ROOT = fileURLToPath(new URL("../../../", import.meta.url));

export type ToolId = "migrator" | "migrator-bundle" | "migrator-cold" | "prisma" | "psql";

export interface Tool {
  id: ToolId;
  label: string;
  /** Whether it records `_prisma_migrations` (psql runs the SQL only). */
  recordsHistory: boolean;
  applyAll(url: string): Command;
  /** Run on a database that is already at head. */
  noop(url: string): Command;
  /** A phrase its no-op output must contain, to be sure the no-op really found nothing to do. */
  noopSays?: string;
}

/**
 * The environment every contender gets: this one, minus what would redirect it elsewhere, and minus
 * NODE_EXTRA_CA_CERTS: a machine that sets it (a proxy's CA bundle) makes every Node process parse the
 * bundle before running anything (40–80 ms for a 220 KB bundle on the benchmark machine), and no
 * contender makes a TLS connection here. The report says when it was set.
 */
export function baseEnv(): NodeJS.ProcessEnv {
  const { DATABASE_URL: _url, INIT_CWD: _initCwd, MIGRATIONS_DIR: _dir, DATA_MIGRATIONS_DIR: _dataDir, NODE_EXTRA_CA_CERTS: _extraCa, ...env } = process.env;
  return { ...env, NO_COLOR: "1" };
}

function migratorTool(id: ToolId, label: string, entry: string, cwd: string, fixture: Fixture, analysisCache: string = fixture.analysisCacheDir): Tool {
  // DATA_MIGRATIONS_DIR rather than --data-migrations: a migrator without data migrations ignores it.
  // MIGRATOR_CACHE_DIR: the run's own analysis cache, filled by the first (warm-up) round; `off` for none.
  const env = { ...baseEnv(), DATA_MIGRATIONS_DIR: fixture.dataMigrationsDir, MIGRATOR_CACHE_DIR: analysisCache };
  const run = (url: string): Command => ({ file: process.execPath, args: [entry, "--migrations", fixture.migrationsDir, "--url", url, "deploy"], cwd, env });
  return { id, label, recordsHistory: true, applyAll: run, noop: run, noopSays: "Nothing to apply" };
}

/** `node apps/migrator/bin/migrator.js … deploy` from the repository root, as in the workspace. */
export function workspaceMigrator(fixture: Fixture): Tool {
  // bin/migrator.js runs src/main.ts through tsx when it exists, else dist/main.js: say which one was measured.
  const source = existsSync(path.join(REPO_ROOT, "apps", "migrator", "src", "main.ts"));
  const label = source ? "migrator (tsx: bin/migrator.js)" : "migrator (bin/migrator.js → dist/main.js)";
  return migratorTool("migrator", label, path.join("apps", "migrator", "bin", "migrator.js"), REPO_ROOT, fixture);
}

/**
 * The migrator as it ships: apps/migrator's production build (scripts/build.ts, what `pnpm build`
 * makes) written to `dir`/dist and run as `node dist/main.js`. `dir` stands in for the app's folder in
 * an image: its node_modules is apps/migrator's, so the packages the build leaves out resolve from
 * the app's declared dependencies, as they would after an install. Two contenders on that build: with
 * the run's analysis cache, and without one (MIGRATOR_CACHE_DIR=off: every run loads the SQL parser
 * and parses every pending script, as a first deploy of new migrations does).
 */
export async function builtMigrators(fixture: Fixture, dir: string): Promise<Tool[]> {
  await mkdir(dir, { recursive: true });
  const { entry } = await buildMigrator({ outDir: path.join(dir, "dist"), copyMigrations: false });
  await writeFile(path.join(dir, "package.json"), `${JSON.stringify({ name: "@repo/migrator", private: true, type: "module" })}\n`);
  await symlink(path.join(REPO_ROOT, "apps", "migrator", "node_modules"), path.join(dir, "node_modules"), "dir");
  return [
    migratorTool("migrator-bundle", "migrator (built: node dist/main.js)", entry, dir, fixture),
    migratorTool("migrator-cold", "migrator (built, no analysis cache)", entry, dir, fixture, "off"),
  ];
}

/** `node <prisma>/build/index.js migrate deploy`, with the bridge as its schema engine. */
export function prismaTool(fixture: Fixture): Tool {
  const entry = path.join(prismaPackageDir(), "build", "index.js");
  const run = (url: string): Command => ({
    file: process.execPath,
    args: [entry, "migrate", "deploy"],
    cwd: fixture.prismaRoot,
    env: prismaEnv({ ...baseEnv(), DATABASE_URL: url }),
  });
  return { id: "prisma", label: "prisma migrate deploy (wasm bridge)", recordsHistory: true, applyAll: run, noop: run, noopSays: "No pending migrations to apply" };
}

/** psql: every script in one transaction (the floor), and `select 1` (start a process, connect). */
export function psqlTool(fixture: Fixture): Tool {
  const psql = findPsql();
  const env = baseEnv();
  const cwd = path.dirname(fixture.allSqlFile);
  return {
    id: "psql",
    label: "psql floor (-1 -f all.sql | -c 'select 1')",
    recordsHistory: false,
    applyAll: (url) => ({ file: psql, args: ["-X", "-q", "-v", "ON_ERROR_STOP=1", "-1", "-f", fixture.allSqlFile, "-d", url], cwd, env }),
    noop: (url) => ({ file: psql, args: ["-X", "-q", "-c", "select 1", "-d", url], cwd, env }),
  };
}

function findPsql(): string {
  try {
    return execFileSync("sh", ["-c", "command -v psql"], { encoding: "utf8" }).trim();
  } catch {
    throw new Error("psql is not installed (the floor needs it): install the PostgreSQL client, e.g. apt-get install postgresql-client.");
  }
}
