// The connection for pg_dump, given through libpq's environment variables (PGHOST, PGPASSWORD…) so
// that no password appears in its argv, where `ps` would show it to every user of the machine.
import { UsageError } from "../errors.ts";

/** The URL's query parameters libpq understands, and the variable each becomes. */
const LIBPQ_PARAMS: Record<string, string> = {
  sslmode: "PGSSLMODE",
  sslcert: "PGSSLCERT",
  sslkey: "PGSSLKEY",
  sslrootcert: "PGSSLROOTCERT",
  sslcrl: "PGSSLCRL",
  sslnegotiation: "PGSSLNEGOTIATION",
  connect_timeout: "PGCONNECT_TIMEOUT",
  options: "PGOPTIONS",
  target_session_attrs: "PGTARGETSESSIONATTRS",
  channel_binding: "PGCHANNELBINDING",
  gssencmode: "PGGSSENCMODE",
  service: "PGSERVICE",
  passfile: "PGPASSFILE",
};

/** Parameters for Prisma or node-postgres only: they mean nothing to pg_dump. */
const CLIENT_ONLY_PARAMS = new Set(["schema", "connection_limit", "pool_timeout", "socket_timeout", "pgbouncer", "statement_cache_size", "application_name", "sslaccept", "sslidentity", "sslpassword"]);

/** The sslmode values libpq accepts; node-postgres's `no-verify` is libpq's `require` (encrypt, do not verify). */
const SSL_MODES = new Set(["disable", "allow", "prefer", "require", "verify-ca", "verify-full"]);

export interface PgEnvironment {
  /** Variables to set for pg_dump, password included (PGPASSWORD). */
  env: Record<string, string>;
  /** Query parameters left out because libpq has no equivalent (to warn about). */
  ignored: string[];
}

/**
 * libpq's environment for a PostgreSQL URL: user, password, host (or `?host=` socket folder), port,
 * database, and the TLS and connection parameters libpq knows. Prisma's own parameters (`schema`,
 * `connection_limit`…) are dropped; others are reported in `ignored`.
 */
export function pgEnvironment(url: string, applicationName = "migrator (backup)"): PgEnvironment {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new UsageError("INVALID_URL", "The database URL is not a valid PostgreSQL URL.", "Use postgresql://user:password@host:5432/database.");
  }
  const decode = (text: string) => decodeURIComponent(text);
  const env: Record<string, string> = { PGAPPNAME: applicationName };
  // An empty host (postgresql:///app) leaves libpq's default (the Unix socket), as for psql.
  if (parsed.hostname) env.PGHOST = decode(parsed.hostname).replace(/^\[(.*)\]$/, "$1");
  if (parsed.port) env.PGPORT = parsed.port;
  if (parsed.username) env.PGUSER = decode(parsed.username);
  if (parsed.password) env.PGPASSWORD = decode(parsed.password);
  const database = decode(parsed.pathname.replace(/^\//, ""));
  if (database) env.PGDATABASE = database;
  const ignored: string[] = [];
  for (const [name, value] of parsed.searchParams) {
    if (name === "host") env.PGHOST = value;
    else if (name === "port") env.PGPORT = value;
    else if (name === "user") env.PGUSER = value;
    else if (name === "password") env.PGPASSWORD = value;
    else if (name === "dbname") env.PGDATABASE = value;
    else if (name === "sslmode") {
      const mode = value === "no-verify" ? "require" : value;
      if (!SSL_MODES.has(mode)) throw new UsageError("INVALID_URL", `The database URL's sslmode=${value} is not one PostgreSQL knows.`, "Use sslmode=disable, prefer, require, verify-ca or verify-full.");
      env.PGSSLMODE = mode;
    } else if (LIBPQ_PARAMS[name]) env[LIBPQ_PARAMS[name]] = value;
    else if (!CLIENT_ONLY_PARAMS.has(name)) ignored.push(name);
  }
  return { env, ignored };
}
