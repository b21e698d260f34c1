// The backup a run takes before its first step: `pg_dump --format=custom` of the whole database into
// a new file, written as `<name>.partial` and renamed only once pg_dump succeeded, so a file without
// that suffix is always a complete dump. Any failure removes the partial file and refuses the run.
import { spawn } from "node:child_process";
import { unlinkSync } from "node:fs";
import { mkdir, open, rename, rm, stat } from "node:fs/promises";
import path from "node:path";
import type pg from "pg";
import { redactUrl } from "@repo/redact";
import { InterruptedError } from "../data/batch.ts";
import type { Logger } from "../runtime/logger.ts";
import { BackupError } from "./errors.ts";
import { backupFileName } from "./file-name.ts";
import { pgEnvironment } from "./pg-env.ts";
import { assertCanDump, probePgDump } from "./pg-dump-version.ts";

export interface BackupOptions {
  /** The folder for the dump; created when missing. */
  dir: string;
  /** The pg_dump program (default `pg_dump` on PATH). */
  pgDump?: string | undefined;
}

export interface BackupResult {
  /** The dump's absolute path. */
  file: string;
  bytes: number;
  durationMs: number;
  /** `current_database()`. */
  database: string;
  /** pg_dump's and the server's versions, e.g. "15.20" and "15.14". */
  pgDumpVersion: string;
  serverVersion: string;
}

export interface BackupInput {
  /** The engine's URL: pg_dump gets it through libpq's environment, never in its argv. */
  url: string;
  backup: BackupOptions;
  /** The direction and last migration of the run (for the file name). */
  direction: "up" | "down";
  target: string;
  log: Logger;
  signal?: AbortSignal | undefined;
  /** pg_dump's --lock-wait-timeout: how long it waits for a table another session locked. */
  lockWaitMs: number;
  now?: () => Date;
}

const KIB = 1024;
const formatBytes = (bytes: number) =>
  bytes < KIB ? `${bytes} B` : bytes < KIB ** 2 ? `${(bytes / KIB).toFixed(1)} KiB` : bytes < KIB ** 3 ? `${(bytes / KIB ** 2).toFixed(1)} MiB` : `${(bytes / KIB ** 3).toFixed(2)} GiB`;

/** The last lines pg_dump wrote to stderr, without any password. */
function lastLines(stderr: string, password: string | undefined): string {
  let text = redactUrl(stderr.trim().split("\n").slice(-5).join("\n"));
  if (password) text = text.replaceAll(password, "***");
  return text || "(no message)";
}

/** Creates the folder and the partial file (exclusively), or says why the folder cannot hold a dump. */
async function createPartial(dir: string, file: string): Promise<void> {
  try {
    await mkdir(dir, { recursive: true });
    // Only its owner may read it: a dump holds every row (password hashes included).
    await (await open(file, "wx", 0o600)).close();
  } catch (error) {
    const e = error as NodeJS.ErrnoException;
    const reason = { EACCES: "permission denied", EPERM: "operation not permitted", EROFS: "read-only file system", ENOTDIR: "a part of the path is a file", EEXIST: "it exists and is not a folder", ENOSPC: "no space left on the device" }[e.code ?? ""] ?? e.message;
    throw new BackupError(
      "BACKUP_DIR_UNWRITABLE",
      `Cannot write the backup into ${dir} (${reason}): the backup cannot be taken, so nothing was run.`,
      "Point --backup (or MIGRATOR_BACKUP_DIR) at a folder the migrator's user can write, e.g. a mounted volume, or deploy without --backup.",
    );
  }
}

/** Runs pg_dump; resolves with its exit code (null when a signal ended it) and stderr. */
function runPgDump(pgDump: string, args: string[], env: NodeJS.ProcessEnv, signal: AbortSignal | undefined): Promise<{ code: number | null; stderr: string; stopped: boolean }> {
  return new Promise((resolve, reject) => {
    const child = spawn(pgDump, args, { env, stdio: ["ignore", "ignore", "pipe"] });
    let stderr = "";
    let stopped = false;
    child.stderr.setEncoding("utf8").on("data", (chunk: string) => (stderr = (stderr + chunk).slice(-16_384)));
    // A stop request (SIGTERM) ends the dump: nothing has run yet, so stopping now loses nothing.
    const stop = () => {
      stopped = true;
      child.kill("SIGTERM");
    };
    // If the process exits at once (a second SIGTERM), pg_dump must not run on unwatched.
    const onExit = () => child.kill("SIGKILL");
    signal?.addEventListener("abort", stop, { once: true });
    process.once("exit", onExit);
    child.on("error", reject);
    child.on("close", (code) => {
      signal?.removeEventListener("abort", stop);
      process.removeListener("exit", onExit);
      resolve({ code, stderr, stopped });
    });
  });
}

/**
 * Dumps the database of `db` with pg_dump (custom format) into a new file in `backup.dir`, after
 * checking that this pg_dump can dump this server. Call it while holding the migration lock, before
 * the first step: the dump is then the state the run starts from. Throws a BackupError (nothing
 * should run then) or, when `signal` stops it, an InterruptedError.
 */
export async function takeBackup(db: pg.Client, input: BackupInput): Promise<BackupResult> {
  const pgDump = input.backup.pgDump ?? "pg_dump";
  const [client, server] = await Promise.all([
    probePgDump(pgDump, input.backup.pgDump !== undefined),
    db.query<{ num: number; text: string; database: string }>("SELECT current_setting('server_version_num')::int AS num, split_part(current_setting('server_version'), ' ', 1) AS text, current_database() AS database").then((r) => r.rows[0] as { num: number; text: string; database: string }),
  ]);
  assertCanDump(pgDump, client, server);

  const { env: connection, ignored } = pgEnvironment(input.url);
  if (ignored.length) input.log.warn(`Backup: pg_dump is not given the URL's ${ignored.join(", ")} (no libpq equivalent)`, { event: "backup_ignored_parameters", parameters: ignored });
  const dir = path.resolve(input.backup.dir);
  const file = path.join(dir, backupFileName(server.database, (input.now ?? (() => new Date()))(), input.direction, input.target));
  const partial = `${file}.partial`;
  await createPartial(dir, partial);

  const started = performance.now();
  input.log.info(`Backing up ${server.database} to ${file} (pg_dump ${client.text}, server ${server.text})`, { event: "backup_started", file, database: server.database, pgDumpVersion: client.text, serverVersion: server.text });
  // The connection goes in libpq's variables; DATABASE_URL (with its password) is not passed on.
  const env: NodeJS.ProcessEnv = { ...process.env, ...connection };
  delete env.DATABASE_URL;
  // The partial file is removed on any failure, and also if the process exits while pg_dump runs.
  const removePartial = () => {
    try {
      unlinkSync(partial);
    } catch {
      // already gone
    }
  };
  process.once("exit", removePartial);
  try {
    // --no-password: a missing password fails at once instead of waiting on a prompt nobody answers.
    const args = ["--format=custom", `--file=${partial}`, "--no-password", `--lock-wait-timeout=${input.lockWaitMs}`];
    if (input.signal?.aborted) throw new InterruptedError(`the backup, before ${input.target}`);
    let result: Awaited<ReturnType<typeof runPgDump>>;
    try {
      result = await runPgDump(pgDump, args, env, input.signal);
    } catch (error) {
      throw new BackupError("BACKUP_FAILED", `pg_dump (${pgDump}) could not be started: ${(error as Error).message}. Nothing was run.`, "Check --pg-dump (or PG_DUMP), or deploy without --backup.");
    }
    if (result.stopped) throw new InterruptedError(`the backup, before ${input.target}`);
    if (result.code !== 0) {
      throw new BackupError(
        "BACKUP_FAILED",
        `pg_dump exited with code ${result.code ?? "(killed)"}: ${lastLines(result.stderr, connection.PGPASSWORD)}\nThe partial file was removed and nothing was run.`,
        "Fix the cause above (space or permissions in the backup folder, the role's read access to every table, a lock held by another session), or deploy without --backup.",
      );
    }
    // pg_dump has synced the file; the rename makes it a finished dump (and is synced with the folder).
    let size: number;
    try {
      await rename(partial, file);
      await syncFolder(dir);
      ({ size } = await stat(file));
    } catch (error) {
      await rm(file, { force: true });
      throw new BackupError("BACKUP_FAILED", `The finished dump could not be moved into place in ${dir}: ${(error as Error).message}. Nothing was run.`, "Check the backup folder (space, permissions), or deploy without --backup.");
    }
    const durationMs = Math.round(performance.now() - started);
    input.log.info(`Backup written: ${file} (${formatBytes(size)} in ${durationMs} ms)`, { event: "backup", file, bytes: size, durationMs, database: server.database });
    return { file, bytes: size, durationMs, database: server.database, pgDumpVersion: client.text, serverVersion: server.text };
  } catch (error) {
    await rm(partial, { force: true });
    throw error;
  } finally {
    process.removeListener("exit", removePartial);
  }
}

/** fsync of a folder, so a rename in it survives a crash. */
async function syncFolder(dir: string): Promise<void> {
  const handle = await open(dir, "r");
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}
