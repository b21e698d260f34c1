// Whether a pg_dump can dump a server: pg_dump refuses servers of a newer major version than its own,
// so the migrator checks before the run and names both versions and the fix.
import { execFile } from "node:child_process";
import { existsSync, readdirSync } from "node:fs";
import path from "node:path";
import { promisify } from "node:util";
import { BackupError } from "./errors.ts";

export interface PgDumpVersion {
  /** As printed, e.g. "15.20". */
  text: string;
  /** PostgreSQL's numbering: major × 10000 + minor for 10 and later (150020), as server_version_num. */
  num: number;
}

/** "pg_dump (PostgreSQL) 15.20 (Debian 15.20-0+deb12u1)" → 15.20; also "9.6.24" and "18beta1". */
export function parsePgDumpVersion(output: string): PgDumpVersion | undefined {
  const match = /\(PostgreSQL\)\s+(\d+)(?:\.(\d+))?(?:\.(\d+))?/.exec(output);
  if (!match) return undefined;
  const [major, second, third] = [Number(match[1]), Number(match[2] ?? 0), Number(match[3] ?? 0)];
  const num = major >= 10 ? major * 10_000 + second : major * 10_000 + second * 100 + third;
  return { text: match[0].replace(/^\(PostgreSQL\)\s+/, ""), num };
}

const run = promisify(execFile);

/** Runs `<pgDump> --version`. A missing or unusable program is a BackupError naming the fix. */
export async function probePgDump(pgDump: string, fromFlag: boolean): Promise<PgDumpVersion> {
  const where = fromFlag ? `at ${pgDump}` : `("${pgDump}" on PATH)`;
  const fix = "Install the PostgreSQL client of the server's major version (Debian/Ubuntu: apt-get install postgresql-client-<major>; Alpine: apk add postgresql<major>-client), or point --pg-dump <path> (or PG_DUMP) at its pg_dump. Or deploy without --backup.";
  let stdout: string;
  try {
    ({ stdout } = await run(pgDump, ["--version"], { timeout: 10_000, encoding: "utf8" }));
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "ENOENT") throw new BackupError("PG_DUMP_NOT_FOUND", `pg_dump was not found ${where}: the backup cannot be taken, so nothing was run.`, fix);
    const reason = code === "EACCES" ? "is not executable" : `failed to report its version (${(error as Error).message.split("\n")[0]})`;
    throw new BackupError("PG_DUMP_UNUSABLE", `pg_dump ${where} ${reason}: the backup cannot be taken, so nothing was run.`, fix);
  }
  const version = parsePgDumpVersion(stdout);
  if (!version) throw new BackupError("PG_DUMP_UNUSABLE", `${pgDump} --version printed "${stdout.trim().slice(0, 80)}", not pg_dump's version: is it pg_dump?`, fix);
  return version;
}

/** Debian's side-by-side client installs (/usr/lib/postgresql/<major>/bin/pg_dump) of at least `major`. */
function installedPgDumps(minimumMajor: number, root = "/usr/lib/postgresql"): string[] {
  try {
    return readdirSync(root)
      .filter((name) => /^\d+$/.test(name) && Number(name) >= minimumMajor)
      .map((name) => path.join(root, name, "bin", "pg_dump"))
      .filter((file) => existsSync(file));
  } catch {
    return [];
  }
}

/**
 * Refuses a pg_dump older (by major version) than the server, as pg_dump itself would, but before
 * anything runs and with the fix. Older servers are pg_dump's to judge (it dumps back to 9.2).
 */
export function assertCanDump(pgDump: string, client: PgDumpVersion, server: { num: number; text: string }): void {
  const clientMajor = Math.floor(client.num / 10_000);
  const serverMajor = Math.floor(server.num / 10_000);
  if (serverMajor <= clientMajor) return;
  const found = installedPgDumps(serverMajor).filter((file) => file !== pgDump);
  throw new BackupError(
    "PG_DUMP_TOO_OLD",
    `pg_dump ${client.text} (${pgDump}) cannot dump this PostgreSQL ${server.text} server: pg_dump refuses servers of a newer major version. Nothing was run.`,
    `Install postgresql-client-${serverMajor} (or newer) and put its pg_dump first on PATH, or point --pg-dump <path> (or PG_DUMP) at it${found.length ? ` (found: ${found.join(", ")})` : ` (Debian: /usr/lib/postgresql/${serverMajor}/bin/pg_dump)`}.`,
  );
}
