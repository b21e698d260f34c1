// Shared by the CLI tests: the real `migrator` process run with a clean environment, a database and a
// migrations folder per test, SQL sessions to hold locks with, and waiting on states instead of time.
import { spawn, type ChildProcess } from "node:child_process";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { createTestDatabase, sqlOn } from "@repo/dev-postgres";
import pg from "pg";
import { expect, inject, onTestFinished } from "vitest";

/** bin/migrator.js: the command as installed (it runs src/main.ts through tsx). */
export const MIGRATOR_BIN = path.resolve(import.meta.dirname, "../bin/migrator.js");

export interface Run {
  /** The exit code, or null when a signal ended the process. */
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** Both streams, for assertion messages and "appears nowhere" checks. */
export const output = (run: Pick<Run, "stdout" | "stderr">) => `${run.stdout}\n${run.stderr}`;

/**
 * What the CLI sees: PATH, HOME and TMPDIR from this process, NO_COLOR=1 and MIGRATOR_CACHE_DIR=off, nothing else (no
 * DATABASE_URL, MIGRATIONS_DIR or INIT_CWD) unless a test adds it. `undefined` removes a variable.
 */
export function cleanEnv(extra: Record<string, string | undefined> = {}): NodeJS.ProcessEnv {
  // No analysis cache unless a test asks for one: the suite's scripts stay out of ~/.cache/migrator.
  const env: NodeJS.ProcessEnv = { NO_COLOR: "1", MIGRATOR_CACHE_DIR: "off" };
  for (const name of ["PATH", "HOME", "TMPDIR"]) if (process.env[name]) env[name] = process.env[name];
  for (const [name, value] of Object.entries(extra)) {
    if (value === undefined) delete env[name];
    else env[name] = value;
  }
  return env;
}

export interface Started {
  child: ChildProcess;
  /** Resolves when the process has exited and its output is read. */
  done: Promise<Run>;
  /** What it has written so far (to wait for a message while it runs). */
  stdout(): string;
  stderr(): string;
}

export interface SpawnOptions {
  /** Working directory (a folder without a .env file). */
  cwd: string;
  env?: NodeJS.ProcessEnv;
  /** Another copy of bin/migrator.js. */
  bin?: string;
  /** Runs `command …` instead of node (e.g. `script` for a pseudo-terminal); receives node's argv. */
  wrap?: (argv: string[]) => { command: string; args: string[] };
}

/** Starts `migrator <args>`; the process is killed at the end of the test if it is still running. */
export function startMigrator(args: string[], options: SpawnOptions): Started {
  const argv = [process.execPath, options.bin ?? MIGRATOR_BIN, ...args];
  const { command, args: rest } = options.wrap ? options.wrap(argv) : { command: argv[0] as string, args: argv.slice(1) };
  const child = spawn(command, rest, { cwd: options.cwd, env: options.env ?? cleanEnv(), stdio: ["ignore", "pipe", "pipe"] });
  let stdout = "";
  let stderr = "";
  child.stdout.setEncoding("utf8").on("data", (chunk: string) => (stdout += chunk));
  child.stderr.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk));
  const done = new Promise<Run>((resolve, reject) => {
    child.on("error", reject);
    child.on("close", (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
  onTestFinished(async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill("SIGKILL");
      await done.catch(() => {});
    }
  });
  return { child, done, stdout: () => stdout, stderr: () => stderr };
}

/** The first `--json` line whose `event` is `name`, if the run printed one. */
export function jsonEvent(stdout: string, name: string): Record<string, unknown> | undefined {
  return stdout
    .split("\n")
    .filter(Boolean)
    .map((line) => JSON.parse(line) as Record<string, unknown>)
    .find((event) => event.event === name);
}

/** A new empty folder under the system's temporary folder, removed at the end of the test. */
export async function tempDir(prefix: string): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), prefix));
  onTestFinished(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

/** Runs `migrator <args>` to completion. */
export function migrator(args: string[], options: SpawnOptions): Promise<Run> {
  return startMigrator(args, options).done;
}

export { sqlOn };

/** A connection that stays open (to hold a lock or a transaction), closed at the end of the test. */
export async function session(url: string, applicationName: string): Promise<pg.Client> {
  const client = new pg.Client({ connectionString: url, application_name: applicationName });
  client.on("error", () => {});
  await client.connect();
  onTestFinished(() => client.end().catch(() => {}));
  return client;
}

/**
 * Polls `probe` until it returns something other than undefined/false and returns that: waiting on
 * a state the test can observe, never on a guessed duration. Fails after `timeoutMs`, saying what.
 */
export async function waitFor<T>(what: string, probe: () => Promise<T | undefined | false>, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`Timed out after ${timeoutMs} ms waiting for ${what}.`);
    await sleep(25);
  }
}

export interface Project {
  /** This test's database. */
  url: string;
  /** The migrations folder (with Prisma's migration_lock.toml). */
  dir: string;
  /** Holds `migrations/` and an empty `data-migrations/`; the CLI's working directory (no .env). */
  root: string;
  /** The global flags every run gets: this project's folders (and --url unless told otherwise). */
  flags(url?: string | null): string[];
  write(name: string, up: string, down?: string): Promise<void>;
  remove(name: string): Promise<void>;
  sql<T extends pg.QueryResultRow = Record<string, unknown>>(text: string, values?: unknown[]): Promise<T[]>;
  /** `migrator --migrations <dir> --url <url> <args>`; `url: null` leaves --url out. */
  run(args: string[], options?: { url?: string | null; env?: NodeJS.ProcessEnv }): Promise<Run>;
  start(args: string[], options?: { url?: string | null; env?: NodeJS.ProcessEnv }): Started;
  /** Names of tables in the public schema, without the engine's own (`_prisma_migrations`, `_data_migrations`). */
  tables(): Promise<string[]>;
  /** The history table's rows, oldest first, or [] when it does not exist. */
  history(): Promise<HistoryRow[]>;
}

export interface HistoryRow {
  migration_name: string;
  checksum: string;
  finished: boolean;
  rolled_back: boolean;
  applied_steps_count: number;
  logs: string | null;
}

/** A fresh database and migrations folder for one test, both removed when it ends. */
export async function project(): Promise<Project> {
  const db = await createTestDatabase(inject("serverUrl"), { prefix: "migrator_" });
  const root = await mkdtemp(path.join(tmpdir(), "migrator-cli-"));
  const dir = path.join(root, "migrations");
  const dataDir = path.join(root, "data-migrations");
  await mkdir(dir);
  await mkdir(dataDir);
  await writeFile(path.join(dir, "migration_lock.toml"), '# Please do not edit this file manually\nprovider = "postgresql"\n');
  onTestFinished(async () => {
    await db.drop();
    await rm(root, { recursive: true, force: true });
  });
  // Explicit folders: the defaults are @repo/db's.
  const flags = (url?: string | null) => ["--migrations", dir, "--data-migrations", dataDir, ...(url === null ? [] : ["--url", url ?? db.url])];
  const argv = (args: string[], url: string | null | undefined) => [...flags(url), ...args];
  const sql = <T extends pg.QueryResultRow>(text: string, values?: unknown[]) => sqlOn<T>(db.url, text, values);
  return {
    url: db.url,
    dir,
    root,
    flags,
    async write(name, up, down) {
      await mkdir(path.join(dir, name), { recursive: true });
      await writeFile(path.join(dir, name, "migration.sql"), up);
      if (down !== undefined) await writeFile(path.join(dir, name, "down.sql"), down);
    },
    async remove(name) {
      await rm(path.join(dir, name), { recursive: true, force: true });
    },
    sql,
    run: (args, options = {}) => migrator(argv(args, options.url), { cwd: root, env: options.env ?? cleanEnv() }),
    start: (args, options = {}) => startMigrator(argv(args, options.url), { cwd: root, env: options.env ?? cleanEnv() }),
    async tables() {
      const rows = await sql<{ tablename: string }>("SELECT tablename FROM pg_tables WHERE schemaname = 'public' AND tablename NOT LIKE '\\_%' ORDER BY 1");
      return rows.map((row) => row.tablename);
    },
    async history() {
      const [exists] = await sql<{ exists: boolean }>("SELECT to_regclass('public._prisma_migrations') IS NOT NULL AS exists");
      if (!exists?.exists) return [];
      return sql<HistoryRow>(
        `SELECT migration_name, checksum, finished_at IS NOT NULL AS finished, rolled_back_at IS NOT NULL AS rolled_back, applied_steps_count, logs
           FROM _prisma_migrations ORDER BY started_at, migration_name`,
      );
    },
  };
}

/**
 * The aligned table in a command's text output (a header of capitalised titles indented two spaces,
 * then rows until a blank line), each row keyed by title and cut exactly where the header's titles
 * start: a misaligned row reads as wrong values.
 */
export function tableIn(text: string): Record<string, string>[] {
  const lines = text.split("\n");
  const at = lines.findIndex((line) => /^ {2}[A-Z][A-Z ()]+ {2}/.test(line));
  if (at === -1) throw new Error(`No table in:\n${text}`);
  const header = lines[at] as string;
  const titles = header.trim().split(/ {2,}/);
  let from = 0;
  const starts = titles.map((title) => {
    const start = header.indexOf(title, from);
    from = start + title.length;
    return start;
  });
  const end = lines.findIndex((line, i) => i > at && line === "");
  return lines.slice(at + 1, end === -1 ? undefined : end).map((row) =>
    Object.fromEntries(titles.map((title, i) => {
      // Every cell starts at its column: the character before it is padding.
      if (i > 0 && row.length > (starts[i] as number)) expect(row[(starts[i] as number) - 1], `column ${title} in\n${header}\n${row}`).toBe(" ");
      return [title, row.slice(starts[i], starts[i + 1]).trim()];
    })),
  );
}
