// Where the migrator's settings come from: flags, then the environment, then a .env file, then (in
// the workspace only) the embedded development PostgreSQL. Flags always win.
import { existsSync } from "node:fs";
import path from "node:path";
import { DEFAULT_SETTINGS, dynamicImport, UsageError, type AnalysisCacheOptions, type BackupOptions, type RunSettings } from "@repo/migrate";
import { migratorCacheDir } from "./cache-dir.ts";

export interface GlobalFlags {
  url?: string;
  migrations?: string;
  dataMigrations?: string;
  json?: boolean;
  color?: boolean;
  lockWait?: string;
  lockTimeout?: string;
  statementTimeout?: string;
}

/** Loads `.env` from where the user ran the command (pnpm runs scripts elsewhere; INIT_CWD says where). */
export function loadDotEnv(env: NodeJS.ProcessEnv = process.env): void {
  const file = path.join(env.INIT_CWD ?? process.cwd(), ".env");
  // Variables already set win over the file, as with dotenv.
  if (existsSync(file)) process.loadEnvFile(file);
}

/** "60" or "60s" → 60000; "500ms" → 500; "2min" → 120000. */
export function parseDuration(text: string, flag: string): number {
  const match = /^(\d+(?:\.\d+)?)(ms|s|min|m|h)?$/.exec(text.trim());
  if (!match) throw new UsageError("INVALID_FLAG", `${flag} ${text}: not a duration. Use e.g. 30s, 500ms, 2min.`);
  const unit = { ms: 1, s: 1000, min: 60_000, m: 60_000, h: 3_600_000 }[match[2] ?? "s"] ?? 1000;
  return Math.round(Number(match[1]) * unit);
}

export function runSettings(flags: GlobalFlags): Partial<RunSettings> {
  return {
    ...(flags.lockWait ? { lockWaitMs: parseDuration(flags.lockWait, "--lock-wait") } : {}),
    ...(flags.lockTimeout ? { lockTimeoutMs: parseDuration(flags.lockTimeout, "--lock-timeout") } : {}),
    ...(flags.statementTimeout ? { statementTimeoutMs: parseDuration(flags.statementTimeout, "--statement-timeout") } : {}),
  };
}

export const DEFAULTS_FOR_HELP = {
  lockWait: `${DEFAULT_SETTINGS.lockWaitMs / 1000}s`,
  lockTimeout: `${DEFAULT_SETTINGS.lockTimeoutMs / 1000}s`,
  statementTimeout: `${DEFAULT_SETTINGS.statementTimeoutMs / 60_000}min`,
};

/** up/down/deploy's backup flags: `--backup <dir>`, or `false` for --no-backup. */
export interface BackupFlags {
  backup?: string | false;
  pgDump?: string;
}

/**
 * The backup before a run: --backup <dir>, else MIGRATOR_BACKUP_DIR (--no-backup turns either off);
 * pg_dump from --pg-dump, else PG_DUMP, else PATH. Relative paths are from where the command was run.
 */
export function backupOptions(flags: BackupFlags, env: NodeJS.ProcessEnv = process.env): BackupOptions | undefined {
  const dir = flags.backup === false ? undefined : flags.backup ?? (env.MIGRATOR_BACKUP_DIR || undefined);
  if (dir === undefined) {
    if (flags.pgDump !== undefined && flags.backup !== false) throw new UsageError("INVALID_FLAG", "--pg-dump is the pg_dump for --backup, which was not given (nor MIGRATOR_BACKUP_DIR).", "Add --backup <dir>, or leave --pg-dump out.");
    return undefined;
  }
  if (!dir.trim()) throw new UsageError("INVALID_FLAG", "--backup needs a folder.", "Use e.g. --backup /backups (or MIGRATOR_BACKUP_DIR=/backups).");
  const base = env.INIT_CWD ?? process.cwd();
  const pgDump = flags.pgDump ?? (env.PG_DUMP || undefined);
  // A bare name (pg_dump-18) is looked up on PATH; a path is taken from where the command was run.
  return { dir: path.resolve(base, dir), ...(pgDump ? { pgDump: pgDump.includes("/") ? path.resolve(base, pgDump) : pgDump } : {}) };
}

/** The migrations folder: --migrations, MIGRATIONS_DIR, or @repo/db's. */
export async function migrationsDir(flags: GlobalFlags, env: NodeJS.ProcessEnv = process.env): Promise<string> {
  const given = flags.migrations ?? env.MIGRATIONS_DIR;
  if (given) return path.resolve(env.INIT_CWD ?? process.cwd(), given);
  return (await import("@repo/db/paths")).migrationsDir;
}

/**
 * The data-migrations folder: --data-migrations, DATA_MIGRATIONS_DIR, else the `data-migrations`
 * folder beside the migrations folder when one was named (none if it does not exist), else @repo/db's.
 */
export async function dataMigrationsDir(flags: GlobalFlags, env: NodeJS.ProcessEnv = process.env): Promise<string | undefined> {
  const base = env.INIT_CWD ?? process.cwd();
  const given = flags.dataMigrations ?? env.DATA_MIGRATIONS_DIR;
  if (given) return path.resolve(base, given);
  const migrations = flags.migrations ?? env.MIGRATIONS_DIR;
  if (migrations) {
    const beside = path.join(path.dirname(path.resolve(base, migrations)), "data-migrations");
    return existsSync(beside) ? beside : undefined;
  }
  return (await import("@repo/db/paths")).dataMigrationsDir;
}

/**
 * Where the engine keeps its analyses of migration scripts between runs: MIGRATOR_CACHE_DIR (`off`: no
 * user cache), else $XDG_CACHE_HOME/migrator, else ~/.cache/migrator; plus, read-only, the analyses a
 * production bundle ships for its own migrations.
 */
export async function analysisCacheOptions(env: NodeJS.ProcessEnv = process.env): Promise<AnalysisCacheOptions> {
  return { dir: migratorCacheDir(env), shipped: (await import("@repo/db/paths")).analysesFile };
}

/** The Prisma client data migrations get as ctx.client, created once per run and closed after it. */
export async function prismaClientFactory(url: string): Promise<{ client: unknown; close(): Promise<void> }> {
  // Through dynamicImport: the production build runs from V8's code cache, where import() cannot.
  const { createDb } = await dynamicImport<typeof import("@repo/db/client")>((await import("@repo/db/paths")).clientModule);
  const client = createDb({ url, poolSize: 2, applicationName: "migrator (data)" });
  return { client, close: () => client.$disconnect() };
}

/**
 * The database URL: --url, DATABASE_URL, or, in the workspace (where @repo/dev-postgres is installed),
 * the embedded development server. A production image has no embedded server: there the URL is required.
 */
export async function databaseUrl(flags: GlobalFlags, env: NodeJS.ProcessEnv = process.env, log: (line: string) => void): Promise<string> {
  if (flags.url) return flags.url;
  if (env.DATABASE_URL) return env.DATABASE_URL;
  let devPostgres: typeof import("@repo/dev-postgres") | undefined;
  try {
    devPostgres = await import("@repo/dev-postgres");
  } catch {
    devPostgres = undefined;
  }
  if (!devPostgres) throw new UsageError("NO_DATABASE_URL", "No database: DATABASE_URL is not set and --url was not given.", "Set DATABASE_URL=postgresql://user:password@host:5432/database (from a Secret in Kubernetes).");
  return (await devPostgres.resolveDatabaseUrl({ env, log })).url;
}
