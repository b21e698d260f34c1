// Opening the engine's connections: the URL's `schema` parameter honoured as Prisma does, an
// application_name operators can see, and connection failures turned into errors that name the
// server (never the password) and the fix.
import pg from "pg";
import { redactUrl } from "@repo/redact";
import { ConnectionError } from "../errors.ts";

export interface ConnectionSettings {
  url: string;
  /** Shown in pg_stat_activity (default "migrator"). */
  applicationName?: string | undefined;
}

/** The schema a Prisma URL selects (`?schema=`, default `public`). */
export function schemaOf(url: string): string {
  try {
    return new URL(url).searchParams.get("schema") ?? "public";
  } catch {
    return "public";
  }
}

export const quoteIdent = (name: string) => `"${name.replaceAll('"', '""')}"`;
export const quoteLiteral = (text: string) => `'${text.replaceAll("'", "''")}'`;

function describeFailure(error: unknown, url: string): ConnectionError {
  const e = error as { code?: string; message?: string };
  let where = redactUrl(url);
  try {
    const parsed = new URL(url);
    where = `${parsed.hostname}:${parsed.port || 5432}`;
  } catch {
    // keep the redacted URL
  }
  const message = redactUrl(String(e.message ?? error));
  switch (e.code) {
    case "ECONNREFUSED":
    case "ENOTFOUND":
    case "EAI_AGAIN":
    case "ETIMEDOUT":
    case "EHOSTUNREACH":
      return new ConnectionError("DATABASE_UNREACHABLE", `Cannot reach PostgreSQL at ${where} (${e.code}).`, "Is the server running, and is the host and port in DATABASE_URL (or --url) right?");
    case "28P01":
      return new ConnectionError("AUTHENTICATION_FAILED", `PostgreSQL at ${where} rejected the credentials: ${message}.`, "Check the user and password in DATABASE_URL (or --url).");
    case "3D000":
      return new ConnectionError("DATABASE_MISSING", `${message} (on ${where}).`, "Create the database, or fix its name in DATABASE_URL (or --url).");
    case "28000":
      return new ConnectionError("ACCESS_DENIED", `PostgreSQL at ${where} refused the connection: ${message}.`, "Check pg_hba.conf and the user's CONNECT privilege.");
    default:
      if (error instanceof TypeError || /Invalid URL/i.test(message)) {
        return new ConnectionError("INVALID_URL", `The database URL is not a valid PostgreSQL URL: ${redactUrl(url)}.`, "Use postgresql://user:password@host:5432/database.");
      }
      return new ConnectionError("CONNECTION_FAILED", `Could not connect to PostgreSQL at ${where}: ${message}.`, "Check DATABASE_URL (or --url).");
  }
}

/** Opens one connection in the URL's schema. Throws a ConnectionError that never holds the password. */
export async function openConnection(settings: ConnectionSettings): Promise<pg.Client> {
  if (!/^postgres(ql)?:\/\//i.test(settings.url)) {
    throw new ConnectionError("INVALID_URL", `The database URL must start with postgresql:// (got ${redactUrl(settings.url).slice(0, 40)}…).`, "Set DATABASE_URL or pass --url postgresql://user:password@host:5432/database.");
  }
  let client: pg.Client;
  try {
    client = new pg.Client({ connectionString: settings.url, application_name: settings.applicationName ?? "migrator", connectionTimeoutMillis: 10_000 });
  } catch (error) {
    throw describeFailure(error, settings.url);
  }
  // A connection dropped while idle emits 'error'; without a listener Node would crash.
  client.on("error", () => {});
  try {
    await client.connect();
    // The URL's schema; and (PostgreSQL 14+) a check for a vanished client during long statements, so
    // the session of a killed migrator ends instead of finishing its statement (a concurrent index
    // build, say) unrecorded.
    await client.query(
      "SELECT set_config('search_path', $1, false), CASE WHEN current_setting('server_version_num')::int >= 140000 THEN set_config('client_connection_check_interval', '1000', false) END",
      [quoteIdent(schemaOf(settings.url))],
    );
  } catch (error) {
    await client.end().catch(() => {});
    throw describeFailure(error, settings.url);
  }
  return client;
}
