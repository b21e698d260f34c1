// Where the persistent local server keeps its files and which port and database it uses: the one
// place that turns options and environment into concrete values, shared by start, stop and status.

import { createHash } from "node:crypto";
import { statSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { LocalServerError } from "./errors.ts";
import { monorepoRoot } from "./monorepo-root.ts";

/** The port used when neither the `port` option nor LOCAL_PG_PORT says otherwise. */
export const DEFAULT_PORT = 54329;
/** The database `ensureLocalServer` creates when no other is named. */
export const DEFAULT_DATABASE = "app";

/** Options shared by the local server's functions. */
export interface LocalServerOptions {
  /** The folder whose `.local/postgres` holds the server; defaults to the monorepo root. */
  rootDir?: string;
  /** TCP port on 127.0.0.1; defaults to LOCAL_PG_PORT, then 54329. */
  port?: number;
  /** Database to create and to point the URL at; defaults to `app`. */
  database?: string;
  /** Receives progress lines (initialising, starting); defaults to stderr. */
  log?: (line: string) => void;
  /** Where LOCAL_PG_PORT is read from; defaults to process.env. */
  env?: NodeJS.ProcessEnv;
}

/** The files of the local server, all under `<rootDir>/.local/postgres` (see serverBaseDir). */
export interface LocalLayout {
  rootDir: string;
  baseDir: string;
  dataDir: string;
  socketDir: string;
  logFile: string;
  credentialsFile: string;
  lockFile: string;
}

export interface LocalSettings {
  layout: LocalLayout;
  port: number;
  database: string;
  log: (line: string) => void;
}

/** Writes a line to stderr: progress must never mix with output meant for scripts on stdout. */
export function logToStderr(line: string): void {
  process.stderr.write(`${line}\n`);
}

/** Where shared server files go when the project folder is closed to other users (see serverBaseDir). */
export const SHARED_BASE_DIR = "/var/tmp/dev-postgres";

/** Whether users other than the owner may enter every folder from the root down to `dir`. */
export function openToOthers(dir: string): boolean {
  for (let current = dir; ; current = dirname(current)) {
    const info = statSync(current, { throwIfNoEntry: false });
    if (info && (info.mode & 0o001) === 0) return false;
    if (dirname(current) === current) return true;
  }
}

/**
 * The folder for the server's files: `<rootDir>/.local/postgres`. As root, PostgreSQL runs as the
 * `postgres` OS user, which cannot enter a project kept under /root or in a mkdtemp folder (0700);
 * then the files go to /var/tmp/dev-postgres/<hash of rootDir> instead, one per checkout, so the
 * quick start works in such places too.
 */
export function serverBaseDir(rootDir: string): string {
  const inProject = join(rootDir, ".local", "postgres");
  if (process.getuid?.() !== 0 || openToOthers(rootDir)) return inProject;
  return join(SHARED_BASE_DIR, createHash("sha256").update(rootDir).digest("hex").slice(0, 16));
}

/** Resolves options and environment into the concrete settings of the local server. */
export function localSettings(options: LocalServerOptions = {}): LocalSettings {
  const rootDir = resolve(options.rootDir ?? monorepoRoot());
  const baseDir = serverBaseDir(rootDir);
  return {
    layout: {
      rootDir,
      baseDir,
      dataDir: join(baseDir, "data"),
      socketDir: join(baseDir, "run"),
      logFile: join(baseDir, "postgres.log"),
      credentialsFile: join(baseDir, "credentials.json"),
      lockFile: join(baseDir, "setup.lock"),
    },
    port: resolvePort(options.port, options.env ?? process.env),
    database: validDatabaseName(options.database ?? DEFAULT_DATABASE),
    log: options.log ?? logToStderr,
  };
}

function resolvePort(option: number | undefined, env: NodeJS.ProcessEnv): number {
  const fromEnv = env.LOCAL_PG_PORT?.trim();
  const value = option ?? (fromEnv ? Number(fromEnv) : DEFAULT_PORT);
  if (!Number.isInteger(value) || value < 1 || value > 65535) {
    const source = option === undefined ? `LOCAL_PG_PORT=${fromEnv}` : `port ${option}`;
    throw new LocalServerError("INVALID_OPTION", `${source} is not a TCP port. Fix: use a whole number from 1 to 65535.`);
  }
  return value;
}

function validDatabaseName(name: string): string {
  // 63 bytes is PostgreSQL's identifier limit; longer names would be silently truncated.
  if (name.length === 0 || Buffer.byteLength(name) > 63) {
    throw new LocalServerError("INVALID_OPTION", `Database name "${name}" must be 1 to 63 bytes long.`);
  }
  return name;
}
