// Prisma's `_prisma_migrations` table, kept exactly as Prisma keeps it (same DDL, UUID ids, checksums,
// timestamps, applied_steps_count, logs), so Prisma's CLI and this engine read each other's work.
// A rollback sets `rolled_back_at`, which Prisma reads as "not applied": the row stays as history.
import { randomUUID } from "node:crypto";
import type pg from "pg";

export const HISTORY_TABLE = "_prisma_migrations";

/** Written to `logs` while a statement-by-statement run is in progress: a crash leaves it there. */
export const IN_PROGRESS_MARK = "migrator: running statement by statement outside a transaction";
/** Written to `logs` when a transactional attempt failed: nothing of it was applied. */
export const TRANSACTION_FAILED_MARK = "migrator: failed in a transaction, nothing applied";

/** The DDL the native Prisma engine uses. */
export const CREATE_HISTORY_TABLE = `CREATE TABLE IF NOT EXISTS "${HISTORY_TABLE}" (
    "id"                    VARCHAR(36) PRIMARY KEY NOT NULL,
    "checksum"              VARCHAR(64) NOT NULL,
    "finished_at"           TIMESTAMPTZ,
    "migration_name"        VARCHAR(255) NOT NULL,
    "logs"                  TEXT,
    "rolled_back_at"        TIMESTAMPTZ,
    "started_at"            TIMESTAMPTZ NOT NULL DEFAULT now(),
    "applied_steps_count"   INTEGER NOT NULL DEFAULT 0
)`;

export interface MigrationRecord {
  id: string;
  name: string;
  checksum: string;
  startedAt: Date;
  finishedAt: Date | null;
  rolledBackAt: Date | null;
  logs: string | null;
  appliedStepsCount: number;
}

type Queryable = Pick<pg.ClientBase, "query">;

/** Whether the history table exists in the connection's current schema. */
export async function historyTableExists(db: Queryable): Promise<boolean> {
  const { rows } = await db.query<{ exists: boolean }>("SELECT to_regclass($1) IS NOT NULL AS exists", [`"${HISTORY_TABLE}"`]);
  return rows[0]?.exists ?? false;
}

/** Every row of the history table, oldest first (fails with 42P01 when the table does not exist). */
export const SELECT_HISTORY = `SELECT id, migration_name, checksum, started_at, finished_at, rolled_back_at, logs, applied_steps_count FROM "${HISTORY_TABLE}" ORDER BY started_at, migration_name`;

/** One row of SELECT_HISTORY as a record. */
export function toMigrationRecord(row: Record<string, unknown>): MigrationRecord {
  return {
    id: row.id as string,
    name: row.migration_name as string,
    checksum: row.checksum as string,
    startedAt: row.started_at as Date,
    finishedAt: (row.finished_at as Date | null) ?? null,
    rolledBackAt: (row.rolled_back_at as Date | null) ?? null,
    logs: (row.logs as string | null) ?? null,
    appliedStepsCount: row.applied_steps_count as number,
  };
}

/** Every row, oldest first. Empty when the table does not exist yet. */
export async function readHistory(db: Queryable): Promise<MigrationRecord[]> {
  if (!(await historyTableExists(db))) return [];
  const { rows } = await db.query<Record<string, unknown>>(SELECT_HISTORY);
  return rows.map(toMigrationRecord);
}

/** Records a migration applied by hand (`resolve --applied`), as Prisma's resolve does. */
export async function recordApplied(db: Queryable, name: string, checksum: string): Promise<string> {
  const id = randomUUID();
  await db.query(
    `INSERT INTO "${HISTORY_TABLE}" (id, checksum, finished_at, migration_name, logs, rolled_back_at, started_at, applied_steps_count) VALUES ($1, $2, now(), $3, NULL, NULL, now(), 0)`,
    [id, checksum, name],
  );
  return id;
}

/** Starts a row for a migration that runs outside a transaction: finished_at stays NULL until it ends. */
export async function recordStarted(db: Queryable, name: string, checksum: string, logs: string, id: string = randomUUID()): Promise<string> {
  await db.query(
    `INSERT INTO "${HISTORY_TABLE}" (id, checksum, finished_at, migration_name, logs, rolled_back_at, started_at, applied_steps_count) VALUES ($1, $2, NULL, $3, $4, NULL, now(), 0)`,
    [id, checksum, name, logs],
  );
  return id;
}

export async function recordProgress(db: Queryable, id: string, appliedSteps: number): Promise<void> {
  await db.query(`UPDATE "${HISTORY_TABLE}" SET applied_steps_count = $2 WHERE id = $1`, [id, appliedSteps]);
}

export async function recordFinished(db: Queryable, id: string, appliedSteps: number): Promise<void> {
  await db.query(`UPDATE "${HISTORY_TABLE}" SET finished_at = clock_timestamp(), applied_steps_count = $2, logs = NULL WHERE id = $1`, [id, appliedSteps]);
}

/** A failed attempt: Prisma's shape (finished_at NULL, the error in logs), which Prisma reports as P3009. */
export async function recordFailure(db: Queryable, id: string | undefined, name: string, checksum: string, logs: string, startedAt: Date): Promise<void> {
  if (id) {
    await db.query(`UPDATE "${HISTORY_TABLE}" SET logs = $2 WHERE id = $1`, [id, logs]);
    return;
  }
  await db.query(
    `INSERT INTO "${HISTORY_TABLE}" (id, checksum, finished_at, migration_name, logs, rolled_back_at, started_at, applied_steps_count) VALUES ($1, $2, NULL, $3, $4, NULL, $5, 0)`,
    [randomUUID(), checksum, name, logs, startedAt],
  );
}

/** Marks rows rolled back (a `down`, or `resolve --rolled-back`): Prisma then treats the migration as pending. */
export async function recordRolledBack(db: Queryable, ids: string[]): Promise<void> {
  await db.query(`UPDATE "${HISTORY_TABLE}" SET rolled_back_at = now() WHERE id = ANY($1::varchar[])`, [ids]);
}

