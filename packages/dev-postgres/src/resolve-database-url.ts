// The one answer to "which PostgreSQL do I use?" for scripts (migrations, the dev server, seeds):
// DATABASE_URL when set, otherwise the persistent embedded server, with one line saying which.

import { dirname, isAbsolute, relative } from "node:path";
import { ensureLocalServer } from "./local-server.ts";
import { logToStderr } from "./local-settings.ts";
import { redactUrl } from "@repo/redact";

export interface ResolveDatabaseUrlOptions {
  /** Where DATABASE_URL and LOCAL_PG_PORT are read from; defaults to process.env. */
  env?: NodeJS.ProcessEnv;
  /** Receives the "Using …" line (password redacted); defaults to stderr. */
  log?: (line: string) => void;
  /** Passed to ensureLocalServer when the embedded server is used. */
  rootDir?: string;
  database?: string;
}

export interface ResolvedDatabaseUrl {
  url: string;
  source: "env" | "embedded";
}

/**
 * DATABASE_URL when it is set and not empty (nothing is started); otherwise the embedded server of
 * `ensureLocalServer`, started or reused. Logs exactly one line naming the URL, password redacted.
 */
export async function resolveDatabaseUrl(options: ResolveDatabaseUrlOptions = {}): Promise<ResolvedDatabaseUrl> {
  const env = options.env ?? process.env;
  const log = options.log ?? logToStderr;
  const fromEnv = env.DATABASE_URL?.trim();
  if (fromEnv) {
    log(`Using DATABASE_URL ${redactUrl(fromEnv)}`);
    return { url: fromEnv, source: "env" };
  }

  const server = await ensureLocalServer({ env, log, rootDir: options.rootDir, database: options.database });
  const major = server.serverVersion.split(".")[0] ?? server.serverVersion;
  log(`Using embedded PostgreSQL ${major} at ${server.redactedUrl} (data in ${displayPath(dirname(server.dataDir))})`);
  return { url: server.url, source: "embedded" };
}

/** Relative to the working directory when below it (`.local/postgres` from the root), else absolute. */
function displayPath(path: string): string {
  const fromCwd = relative(process.cwd(), path);
  return fromCwd && !fromCwd.startsWith("..") && !isAbsolute(fromCwd) ? fromCwd : path;
}
