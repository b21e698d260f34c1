// The migration lock: PostgreSQL advisory lock 72707369, the key Prisma Migrate takes, so this engine
// and Prisma's never run at once. Held on a session of its own for the whole run.
import type pg from "pg";
import { LockTimeoutError, PoolerDetectedError } from "../errors.ts";
import type { Logger } from "./logger.ts";

/** Prisma's advisory lock key. */
export const MIGRATION_LOCK_KEY = 72707369;

/** The longest one pg_advisory_lock call waits (and so holds a snapshot) before it is asked again. */
const WAIT_SLICE_MS = 250;

interface Holder {
  pid: number;
  application_name: string;
  since: Date | null;
  client_addr: string | null;
}

async function lockHolder(client: pg.Client): Promise<Holder | undefined> {
  const { rows } = await client.query<Holder>(
    `SELECT a.pid, a.application_name, a.backend_start AS since, a.client_addr::text AS client_addr
       FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
      WHERE l.locktype = 'advisory' AND l.granted AND l.classid = 0 AND l.objid = $1 AND l.objsubid = 1
        -- Advisory locks are per database: the same key held in another database is another lock.
        AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())`,
    [MIGRATION_LOCK_KEY],
  );
  return rows[0];
}

const describe = (holder: Holder | undefined) =>
  holder
    ? `pid ${holder.pid}, application "${holder.application_name || "?"}"${holder.client_addr ? ` from ${holder.client_addr}` : ""}${holder.since ? `, since ${holder.since.toISOString()}` : ""}`
    : "a session that has since ended";

/**
 * Detects a transaction-mode pooler (PgBouncer and the like): consecutive statements reach different
 * server sessions, or a session lock taken by one statement is not held by the next one's session.
 */
async function assertSessionHolds(client: pg.Client, lockedBy?: number): Promise<void> {
  // Probes, each a statement of its own: which session ran it, and does that session hold the lock.
  // The statement that took the lock can be the first (it says which session ran it).
  const probe = async () =>
    (
      await client.query<{ pid: number; held: boolean }>(
        "SELECT pg_backend_pid() AS pid, EXISTS (SELECT 1 FROM pg_locks WHERE locktype = 'advisory' AND granted AND pid = pg_backend_pid() AND classid = 0 AND objid = $1 AND objsubid = 1) AS held",
        [MIGRATION_LOCK_KEY],
      )
    ).rows[0];
  const first = lockedBy === undefined ? await probe() : { pid: lockedBy, held: true };
  const second = await probe();
  if (first?.pid !== second?.pid) throw new PoolerDetectedError(`consecutive statements ran in sessions ${first?.pid} and ${second?.pid}`);
  if (!first?.held || !second?.held) throw new PoolerDetectedError("the advisory lock taken by one statement was not held by the next one's session");
}

/**
 * Takes the migration lock on `client` (a connection used for nothing else), waiting up to `waitMs`.
 * While waiting it logs who holds the lock. Resolves with a function that releases it.
 */
export async function acquireMigrationLock(client: pg.Client, options: { waitMs: number; log: Logger }): Promise<() => Promise<void>> {
  const started = Date.now();
  const tried = (await client.query<{ ok: boolean; pid: number }>("SELECT pg_try_advisory_lock($1) AS ok, pg_backend_pid() AS pid", [MIGRATION_LOCK_KEY])).rows[0];
  const lockedBy = tried?.ok ? tried.pid : undefined;
  if (lockedBy === undefined) {
    const holder = await lockHolder(client);
    options.log.info(`Waiting up to ${Math.round(options.waitMs / 1000)} s for the migration lock, held by ${describe(holder)}`, { event: "lock_wait", holder });
    // The server wakes us when the lock is released, but we wait in short slices: a waiting statement
    // holds a snapshot, and CREATE INDEX CONCURRENTLY in the run holding the lock waits for every older
    // snapshot in the database. One long wait would hold it back (unseen by the deadlock detector) until a timeout.
    try {
      for (;;) {
        const left = options.waitMs - (Date.now() - started);
        if (left <= 0) throw new LockTimeoutError(Date.now() - started, describe(await lockHolder(client).catch(() => holder)));
        await client.query(`SET lock_timeout = ${Math.max(1, Math.min(WAIT_SLICE_MS, left))}`);
        try {
          await client.query("SELECT pg_advisory_lock($1)", [MIGRATION_LOCK_KEY]);
          break;
        } catch (error) {
          if ((error as { code?: string }).code !== "55P03") throw error;
        }
      }
    } finally {
      await client.query("RESET lock_timeout").catch(() => {});
    }
  }
  await assertSessionHolds(client, lockedBy);
  options.log.debug("Took the migration lock", { event: "lock_acquired", waitedMs: Date.now() - started });
  return async () => {
    await client.query("SELECT pg_advisory_unlock($1)", [MIGRATION_LOCK_KEY]).catch(() => {});
  };
}
