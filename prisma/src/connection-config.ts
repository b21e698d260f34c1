// Reads a Prisma-style PostgreSQL URL (with its `schema`, `connect_timeout`… parameters) into a `pg`
// client configuration. A parsed object, never `{ connectionString }`: pg lets a connection string
// override every other field, which once made a "shadow database" connect to the main one.
import { parse } from "pg-connection-string";
import type pg from "pg";

export interface ConnectionTarget {
  /** Settings for `new pg.Client(...)`. */
  config: pg.ClientConfig;
  /** The schema Prisma works in (`?schema=`, default `public`). */
  schema: string;
  /** The database name in the URL. */
  database: string;
}

/** Prisma's default connect timeout (5 s): an unreachable host fails with P1001 instead of hanging. */
const DEFAULT_CONNECT_TIMEOUT_SECONDS = 5;

/** Parses a `postgresql://` or `postgres://` URL. Throws with a message that never contains the password. */
export function parseConnectionUrl(url: string): ConnectionTarget {
  if (!/^postgres(ql)?:\/\//i.test(url)) {
    throw new Error("The datasource URL must start with postgresql:// or postgres://");
  }
  const parsed = parse(url);
  const params = new URL(url.replace(/^postgres(ql)?:/i, "http:")).searchParams;
  const connectTimeout = Number(params.get("connect_timeout") ?? DEFAULT_CONNECT_TIMEOUT_SECONDS);
  const config: pg.ClientConfig = {
    host: parsed.host ?? "localhost",
    port: parsed.port ? Number(parsed.port) : 5432,
    user: parsed.user ?? undefined,
    password: parsed.password ?? undefined,
    database: parsed.database ?? undefined,
    ssl: parsed.ssl as pg.ClientConfig["ssl"],
    application_name: parsed.application_name ?? "prisma-schema-engine-wasm",
    options: parsed.options ?? undefined,
    connectionTimeoutMillis: connectTimeout > 0 ? connectTimeout * 1000 : 0,
  };
  for (const key of Object.keys(config) as (keyof pg.ClientConfig)[]) {
    if (config[key] === undefined) delete config[key];
  }
  return { config, schema: params.get("schema") ?? "public", database: parsed.database ?? "" };
}
