// The benchmark's databases: a fresh one per measured run on one server, each dropped afterwards
// (and all of them on the way out, also after a failure or Ctrl-C).
import pg from "pg";

export const DEFAULT_SERVER_URL = "postgresql://postgres@127.0.0.1:5432/postgres";

const quoteIdent = (name: string) => `"${name.replaceAll('"', '""')}"`;

export interface Databases {
  /** Creates an empty database and returns its URL. */
  create(): Promise<string>;
  /** Drops the database at `url` (one this object created). */
  drop(url: string): Promise<void>;
  /**
   * What a database holds: tables in `public` named `tablePrefix…` (the fixture's, not the engine's
   * own bookkeeping tables) and finished, not rolled back, rows of `_prisma_migrations`.
   */
  contents(url: string, tablePrefix: string): Promise<{ tables: number; finishedMigrations: number }>;
  /** Drops every database still present, then disconnects. */
  close(): Promise<void>;
}

/** Opens an admin connection to `serverUrl` (its database is the maintenance database used for CREATE/DROP). */
export async function openDatabases(serverUrl: string): Promise<Databases> {
  const admin = new pg.Client({ connectionString: serverUrl, application_name: "bench:deploy" });
  admin.on("error", () => {});
  await admin.connect();
  const live = new Set<string>();
  let sequence = 0;
  const nameOf = (url: string) => decodeURIComponent(new URL(url).pathname.slice(1));

  const drop = async (name: string) => {
    await admin.query(`DROP DATABASE IF EXISTS ${quoteIdent(name)} WITH (FORCE)`);
    live.delete(name);
  };

  return {
    async create() {
      const name = `bench_deploy_${process.pid}_${++sequence}`;
      await admin.query(`CREATE DATABASE ${quoteIdent(name)}`);
      live.add(name);
      const url = new URL(serverUrl);
      url.pathname = `/${name}`;
      return url.href;
    },
    drop: (url) => drop(nameOf(url)),
    async contents(url, tablePrefix) {
      const client = new pg.Client({ connectionString: url, application_name: "bench:deploy (check)" });
      await client.connect();
      try {
        const { rows } = await client.query<{ tables: number; finished: number | null }>(
          `SELECT (SELECT count(*)::int FROM pg_tables WHERE schemaname = 'public' AND starts_with(tablename, $1)) AS tables,
                  CASE WHEN to_regclass('public._prisma_migrations') IS NULL THEN 0 END AS finished`,
          [tablePrefix],
        );
        const tables = rows[0]?.tables ?? 0;
        if (rows[0]?.finished === 0) return { tables, finishedMigrations: 0 };
        const history = await client.query<{ n: number }>("SELECT count(*)::int AS n FROM _prisma_migrations WHERE finished_at IS NOT NULL AND rolled_back_at IS NULL");
        return { tables, finishedMigrations: history.rows[0]?.n ?? 0 };
      } finally {
        await client.end();
      }
    },
    async close() {
      try {
        for (const name of [...live]) await drop(name);
      } finally {
        await admin.end().catch(() => {});
      }
    },
  };
}
