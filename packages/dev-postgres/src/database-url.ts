// Builds and rewrites PostgreSQL connection strings: the local server's URL, and a server URL
// pointed at another database (a per-test database, a template).

import { TestDatabaseError } from "./errors.ts";

/** `postgresql://user:password@host:port/database`, with each part percent-encoded. */
export function buildUrl(parts: { user: string; password?: string; host: string; port: number; database: string }): string {
  const auth = parts.password === undefined
    ? encodeURIComponent(parts.user)
    : `${encodeURIComponent(parts.user)}:${encodeURIComponent(parts.password)}`;
  return `postgresql://${auth}@${parts.host}:${parts.port}/${encodeURIComponent(parts.database)}`;
}

/** `serverUrl` with its database replaced by `database`; credentials, host and query are kept. */
export function withDatabase(serverUrl: string, database: string): string {
  let url: URL;
  try {
    url = new URL(serverUrl);
  } catch {
    // No `cause`: the URL parser's error carries the input, password included.
    throw new TestDatabaseError(
      "INVALID_URL",
      "The server URL is not a valid postgresql:// URL, so a database URL cannot be derived from it.",
    );
  }
  url.pathname = `/${encodeURIComponent(database)}`;
  return url.href;
}
