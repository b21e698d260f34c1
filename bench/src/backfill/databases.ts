// The benchmark's databases: one template holding the `items` table (built once, since 2M rows take
// seconds to write), a fresh copy of it per scenario, and server counters read around each run.
// Every database it creates is dropped afterwards, also after a failure or Ctrl-C.
import pg from "pg";

export const DEFAULT_SERVER_URL = "postgresql://postgres@127.0.0.1:5432/postgres";

const quoteIdent = (name: string) => `"${name.replaceAll('"', '""')}"`;

/** The table every contender backfills: `category_id` starts NULL in every row. */
export const TABLE = "items";

export interface TableStats {
  /** Updates and HOT updates on `items` since the copy was made (backfill and load together). */
  updates: number;
  hotUpdates: number;
  deadTuples: number;
  autovacuums: number;
  /** Heap, indexes and TOAST, bytes. */
  totalBytes: number;
  /** Rows still NULL: 0 once a backfill is complete. */
  remaining: number;
}

/** Server-wide counters; their difference around a run is what the run cost (WAL) and met (checkpoints). */
export interface ServerCounters {
  walLsn: string;
  checkpoints: number;
}

export interface Databases {
  serverVersion: number;
  /** Settings that shape the numbers (autovacuum, WAL, commit), for the report. */
  settings: Record<string, string>;
  /** Builds the template with `rows` rows of `payloadBytes`-wide text; returns how long it took. */
  buildTemplate(rows: number, payloadBytes: number): Promise<number>;
  /** A fresh copy of the template; returns its URL. */
  copy(): Promise<string>;
  drop(url: string): Promise<void>;
  tableStats(url: string): Promise<TableStats>;
  counters(): Promise<ServerCounters>;
  /** Bytes of WAL between two LSNs. */
  walBytes(from: string, to: string): Promise<number>;
  /** Drops every database still present, then disconnects. */
  close(): Promise<void>;
}

const nameOf = (url: string) => decodeURIComponent(new URL(url).pathname.slice(1));

function urlFor(serverUrl: string, database: string): string {
  const url = new URL(serverUrl);
  url.pathname = `/${encodeURIComponent(database)}`;
  return url.href;
}

async function withClient<T>(url: string, work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url, application_name: "bench:backfill (setup)" });
  client.on("error", () => {});
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end().catch(() => {});
  }
}

/** Opens an admin connection to `serverUrl` (its database is the maintenance database for CREATE/DROP). */
export async function openDatabases(serverUrl: string): Promise<Databases> {
  const admin = new pg.Client({ connectionString: serverUrl, application_name: "bench:backfill" });
  admin.on("error", () => {});
  await admin.connect();
  const live = new Set<string>();
  const prefix = `bench_backfill_${process.pid}`;
  const template = `${prefix}_template`;
  let sequence = 0;

  const version = await admin.query<{ v: number }>("SELECT current_setting('server_version_num')::int AS v");
  const serverVersion = version.rows[0]?.v ?? 0;
  const shown = await admin.query<{ name: string; setting: string }>(
    `SELECT name, current_setting(name) AS setting FROM pg_settings
      WHERE name IN ('autovacuum', 'synchronous_commit', 'max_wal_size', 'shared_buffers', 'checkpoint_timeout', 'full_page_writes') ORDER BY name`,
  );
  const settings = Object.fromEntries(shown.rows.map((r) => [r.name, r.setting]));

  const drop = async (name: string) => {
    await admin.query(`DROP DATABASE IF EXISTS ${quoteIdent(name)} WITH (FORCE)`);
    live.delete(name);
  };

  return {
    serverVersion,
    settings,
    async buildTemplate(rows, payloadBytes) {
      const started = performance.now();
      await admin.query(`CREATE DATABASE ${quoteIdent(template)}`);
      live.add(template);
      await withClient(urlFor(serverUrl, template), async (client) => {
        await client.query(`CREATE TABLE ${TABLE} (id bigint PRIMARY KEY, category_id int NULL, payload text NOT NULL, touched int NOT NULL DEFAULT 0)`);
        // md5 hex repeated: incompressible enough to stay inline at its width, like a real text column.
        await client.query(
          `INSERT INTO ${TABLE} (id, payload) SELECT i, left(repeat(md5(i::text), ceil($2::numeric / 32)::int), $2::int) FROM generate_series(1, $1::bigint) AS i`,
          [rows, payloadBytes],
        );
        // Frozen, hinted and analysed once here, so every copy starts in the same clean state.
        await client.query(`VACUUM (FREEZE, ANALYZE) ${TABLE}`);
      });
      return performance.now() - started;
    },
    async copy() {
      const name = `${prefix}_${++sequence}`;
      // FILE_COPY (PostgreSQL 15+) checkpoints and copies files: much faster than WAL-logging 400 MB,
      // and every scenario then starts right after a checkpoint.
      const strategy = serverVersion >= 150000 ? " STRATEGY = FILE_COPY" : "";
      await admin.query(`CREATE DATABASE ${quoteIdent(name)} TEMPLATE ${quoteIdent(template)}${strategy}`);
      live.add(name);
      return urlFor(serverUrl, name);
    },
    drop: (url) => drop(nameOf(url)),
    tableStats: (url) =>
      withClient(url, async (client) => {
        // Backends report their counters when idle or exiting; give the last ones a moment.
        await new Promise((resolve) => setTimeout(resolve, 600));
        const { rows } = await client.query<{ updates: string; hot: string; dead: string; autovacuums: string; bytes: string; remaining: string }>(
          `SELECT n_tup_upd::text AS updates, n_tup_hot_upd::text AS hot, n_dead_tup::text AS dead, autovacuum_count::text AS autovacuums,
                  pg_total_relation_size(relid)::text AS bytes,
                  (SELECT count(*) FROM ${TABLE} WHERE category_id IS NULL)::text AS remaining
             FROM pg_stat_user_tables WHERE relname = $1`,
          [TABLE],
        );
        const row = rows[0];
        if (!row) throw new Error(`No statistics for table ${TABLE} in ${nameOf(url)}.`);
        return {
          updates: Number(row.updates),
          hotUpdates: Number(row.hot),
          deadTuples: Number(row.dead),
          autovacuums: Number(row.autovacuums),
          totalBytes: Number(row.bytes),
          remaining: Number(row.remaining),
        };
      }),
    async counters() {
      // PostgreSQL 17 moved the checkpoint counters to pg_stat_checkpointer.
      const [counter, view] = serverVersion >= 170000 ? ["num_timed + num_requested", "pg_stat_checkpointer"] : ["checkpoints_timed + checkpoints_req", "pg_stat_bgwriter"];
      const { rows } = await admin.query<{ lsn: string; checkpoints: string }>(`SELECT pg_current_wal_lsn()::text AS lsn, (${counter})::text AS checkpoints FROM ${view}`);
      return { walLsn: rows[0]?.lsn ?? "0/0", checkpoints: Number(rows[0]?.checkpoints ?? 0) };
    },
    async walBytes(from, to) {
      const { rows } = await admin.query<{ bytes: string }>("SELECT pg_wal_lsn_diff($2::pg_lsn, $1::pg_lsn)::text AS bytes", [from, to]);
      return Number(rows[0]?.bytes ?? 0);
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
