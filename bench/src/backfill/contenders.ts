// The three ways to backfill `items.category_id`: the migrator running a ctx.batch data migration as
// a whole `migrator deploy` process, one big UPDATE, and a server-side keyset loop (a DO block
// committing every 5,000 rows). Each reports when its rows were committed, as far as it can be seen.
import { spawn } from "node:child_process";
import { mkdir, writeFile } from "node:fs/promises";
import path from "node:path";
import { performance } from "node:perf_hooks";
import { setTimeout as sleep } from "node:timers/promises";
import { fileURLToPath } from "node:url";
import pg from "pg";
import { TABLE } from "./databases.ts";
import type { ProgressPoint } from "./progress.ts";

export const REPO_ROOT = fileURLToPath(new URL("../../../", import.meta.url));

export type ContenderId = "big-update" | "do-loop" | "migrator";

export interface BackfillRun {
  /** Rows the contender says it changed. */
  rows: number;
  /** The measured window (performance.now()): for the migrator, spawn to exit. */
  startedAt: number;
  endedAt: number;
  /** Commits as observed: each batch's cumulative rows (empty for the single UPDATE). */
  progress: ProgressPoint[];
  /** The migrator only: the batch size and duration of each batch the poller saw committed. */
  batches?: { size: number; ms: number }[];
  /** The migrator only: where its wall time went, ms. */
  phases?: { startup: number; count: number; batches: number; exit: number };
}

export interface Contender {
  id: ContenderId;
  label: string;
  run(url: string): Promise<BackfillRun>;
}

const connect = async (url: string, applicationName: string) => {
  const client = new pg.Client({ connectionString: url, application_name: applicationName });
  client.on("error", () => {});
  await client.connect();
  return client;
};

/** `UPDATE items SET category_id = 1 WHERE category_id IS NULL`: one statement, one transaction. */
export const bigUpdate: Contender = {
  id: "big-update",
  label: "one big UPDATE",
  async run(url) {
    const client = await connect(url, "bench:backfill big UPDATE");
    try {
      const startedAt = performance.now();
      const result = await client.query(`UPDATE ${TABLE} SET category_id = 1 WHERE category_id IS NULL`);
      const endedAt = performance.now();
      return { rows: result.rowCount ?? 0, startedAt, endedAt, progress: [{ atMs: endedAt, done: result.rowCount ?? 0 }] };
    } finally {
      await client.end().catch(() => {});
    }
  },
};

/**
 * A DO block walking the primary key in batches of `batchSize`, committing each (PostgreSQL 11+
 * allows COMMIT in a DO block run outside a transaction block), the floor for a batched backfill:
 * no round trips, no bookkeeping. After each commit it raises a NOTICE with the rows done so far,
 * which the server sends at once, so the client sees every commit as it happens.
 */
export function doLoop(batchSize: number): Contender {
  const block = `DO $bench$
DECLARE
  last_id bigint := 0;
  up_to bigint;
  changed bigint;
  total bigint := 0;
BEGIN
  LOOP
    SELECT max(id) INTO up_to FROM (SELECT id FROM ${TABLE} WHERE id > last_id AND category_id IS NULL ORDER BY id LIMIT ${batchSize}) AS batch;
    EXIT WHEN up_to IS NULL;
    UPDATE ${TABLE} SET category_id = 1 WHERE id > last_id AND id <= up_to AND category_id IS NULL;
    GET DIAGNOSTICS changed = ROW_COUNT;
    total := total + changed;
    last_id := up_to;
    COMMIT;
    RAISE NOTICE 'bench:backfill %', total;
  END LOOP;
END
$bench$`;
  return {
    id: "do-loop",
    label: `DO loop (${batchSize.toLocaleString("en")}/commit)`,
    async run(url) {
      const client = await connect(url, "bench:backfill DO loop");
      const progress: ProgressPoint[] = [];
      client.on("notice", (notice) => {
        const match = /^bench:backfill (\d+)$/.exec(notice.message ?? "");
        if (match) progress.push({ atMs: performance.now(), done: Number(match[1]) });
      });
      try {
        const startedAt = performance.now();
        // The simple query protocol (no parameters): the DO block runs outside a transaction block.
        await client.query(block);
        const endedAt = performance.now();
        return { rows: progress[progress.length - 1]?.done ?? 0, startedAt, endedAt, progress };
      } finally {
        await client.end().catch(() => {});
      }
    },
  };
}

/** Names in the fixture: the data migration is anchored to a harmless schema migration. */
const ANCHOR = "20260101000000_bench_backfill_anchor";
const DATA_MIGRATION = "20260101000100_backfill_items_category";

/**
 * Writes the migrations folder (one schema migration, the anchor) and the data-migrations folder
 * (the backfill, with ctx.batch's defaults unless `targetBatchMs` is given) under `root`.
 */
export async function writeMigrations(root: string, targetBatchMs?: number): Promise<{ migrationsDir: string; dataMigrationsDir: string }> {
  const migrationsDir = path.join(root, "migrations");
  const dataMigrationsDir = path.join(root, "data-migrations");
  await mkdir(path.join(migrationsDir, ANCHOR), { recursive: true });
  await mkdir(dataMigrationsDir, { recursive: true });
  await writeFile(path.join(migrationsDir, "migration_lock.toml"), 'provider = "postgresql"\n');
  await writeFile(path.join(migrationsDir, ANCHOR, "migration.sql"), `COMMENT ON TABLE "${TABLE}" IS 'bench:backfill';\n`);
  await writeFile(
    path.join(dataMigrationsDir, `${DATA_MIGRATION}.ts`),
    `// bench:backfill: category_id = 1 for every row still NULL, through ctx.batch${targetBatchMs ? "" : " with its defaults"}.
// A plain object, not defineDataMigration(…) (which returns its argument): @repo/migrate does not
// resolve from this temporary folder.
export default {
  anchor: "${ANCHOR}",
  transaction: false,
  async up({ batch }) {
    await batch({
      table: "${TABLE}",
      key: "id",
      where: "category_id IS NULL",${targetBatchMs ? `\n      targetBatchMs: ${targetBatchMs},` : ""}
      apply: async (tx, { after, upTo }) =>
        (await tx.query("UPDATE ${TABLE} SET category_id = 1 WHERE id > COALESCE($1::bigint, 0) AND id <= $2::bigint AND category_id IS NULL", [after, upTo])).rowCount ?? 0,
    });
  },
};
`,
  );
  return { migrationsDir, dataMigrationsDir };
}

/** The environment the migrator gets: this one, minus what would point it elsewhere. */
function migratorEnv(): NodeJS.ProcessEnv {
  const { DATABASE_URL: _url, INIT_CWD: _initCwd, MIGRATIONS_DIR: _dir, DATA_MIGRATIONS_DIR: _dataDir, ...env } = process.env;
  return { ...env, NO_COLOR: "1" };
}

/** Polls `_data_migrations` for the backfill's committed rows, batch size and batch duration. */
async function pollRecord(url: string, everyMs: number, until: { done: boolean }) {
  const client = await connect(url, "bench:backfill (progress)");
  const progress: ProgressPoint[] = [];
  const batches: { size: number; ms: number }[] = [];
  let recordSeenAt: number | undefined;
  try {
    while (!until.done) {
      try {
        const { rows } = await client.query<{ done: string; size: number | null; ms: number | null }>(
          `SELECT rows_done::text AS done, batch_size AS size, last_batch_ms AS ms FROM "_data_migrations" WHERE name = $1 ORDER BY started_at DESC LIMIT 1`,
          [DATA_MIGRATION],
        );
        const at = performance.now();
        const row = rows[0];
        if (row) {
          recordSeenAt ??= at;
          const done = Number(row.done);
          if (done > (progress[progress.length - 1]?.done ?? 0)) {
            progress.push({ atMs: at, done });
            batches.push({ size: row.size ?? 0, ms: row.ms ?? 0 });
          }
        }
      } catch (error) {
        // Until the migrator has created its table.
        if ((error as { code?: string }).code !== "42P01") throw error;
      }
      await sleep(everyMs);
    }
  } finally {
    await client.end().catch(() => {});
  }
  return { progress, batches, recordSeenAt };
}

/**
 * `node apps/migrator/bin/migrator.js --json … deploy` from the repository root, as the workspace
 * runs it (TypeScript through tsx), on a folder holding the anchor and the data migration. Its
 * progress is read from `_data_migrations` every `pollMs` on a connection of our own.
 */
export function migrator(dirs: { migrationsDir: string; dataMigrationsDir: string }, pollMs: number, targetBatchMs?: number): Contender {
  return {
    id: "migrator",
    label: `migrator deploy (ctx.batch${targetBatchMs ? `, ${targetBatchMs} ms target` : ""})`,
    async run(url) {
      const until = { done: false };
      const polling = pollRecord(url, pollMs, until);
      const args = [path.join("apps", "migrator", "bin", "migrator.js"), "--json", "--url", url, "--migrations", dirs.migrationsDir, "--data-migrations", dirs.dataMigrationsDir, "deploy"];
      const startedAt = performance.now();
      const child = spawn(process.execPath, args, { cwd: REPO_ROOT, env: migratorEnv(), stdio: ["ignore", "pipe", "pipe"] });
      let output = "";
      child.stdout.on("data", (chunk: Buffer) => (output += chunk.toString()));
      child.stderr.on("data", (chunk: Buffer) => (output += chunk.toString()));
      const exitCode = await new Promise<number>((resolve, reject) => {
        child.on("error", reject);
        child.on("exit", (code, signal) => resolve(code ?? (signal ? 128 : 1)));
      });
      const endedAt = performance.now();
      // One more poll after the exit, so the last batch is in the curve even if it committed just now.
      await sleep(pollMs * 2);
      until.done = true;
      const { progress, batches, recordSeenAt } = await polling;
      if (exitCode !== 0) throw new Error(`migrator deploy exited with ${exitCode}:\n${output.trim()}`);
      const first = progress[0];
      const last = progress[progress.length - 1];
      const seen = recordSeenAt ?? startedAt;
      // The last batch was committed before the process exited; the poller may have seen it after.
      const lastAt = Math.min(last?.atMs ?? endedAt, endedAt);
      const phases = first
        ? { startup: seen - startedAt, count: first.atMs - seen, batches: lastAt - first.atMs, exit: endedAt - lastAt }
        : undefined;
      return { rows: last?.done ?? 0, startedAt, endedAt, progress: progress.map((p) => ({ atMs: Math.min(p.atMs, endedAt), done: p.done })), batches, ...(phases ? { phases } : {}) };
    },
  };
}
