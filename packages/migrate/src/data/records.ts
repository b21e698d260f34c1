// `_data_migrations`: one row per run of a data migration, with its progress, so status can show a
// running or interrupted backfill and a rerun can resume it. The live row of a migration is its
// latest one not rolled back.
import { randomUUID } from "node:crypto";
import type pg from "pg";

export const DATA_TABLE = "_data_migrations";

export const CREATE_DATA_TABLE = `CREATE TABLE IF NOT EXISTS "${DATA_TABLE}" (
    "id"              VARCHAR(36) PRIMARY KEY NOT NULL,
    "name"            VARCHAR(255) NOT NULL,
    "checksum"        VARCHAR(64) NOT NULL,
    "anchor"          VARCHAR(255),
    "status"          VARCHAR(16) NOT NULL,
    "started_at"      TIMESTAMPTZ NOT NULL DEFAULT now(),
    "finished_at"     TIMESTAMPTZ,
    "rolled_back_at"  TIMESTAMPTZ,
    "rows_done"       BIGINT NOT NULL DEFAULT 0,
    "rows_estimate"   BIGINT,
    "cursor"          JSONB NOT NULL DEFAULT '{}'::jsonb,
    "batch_size"      INTEGER,
    "last_batch_ms"   INTEGER,
    "attempts"        INTEGER NOT NULL DEFAULT 1,
    "heartbeat_at"    TIMESTAMPTZ,
    "last_error"      TEXT
)`;

/** running: in progress or killed mid-way (resumable); interrupted: stopped on request (resumable). */
export type DataStatus = "running" | "applied" | "failed" | "interrupted" | "rolled_back";

export interface DataRecord {
  id: string;
  name: string;
  checksum: string;
  anchor: string | null;
  status: DataStatus;
  startedAt: Date;
  finishedAt: Date | null;
  rolledBackAt: Date | null;
  rowsDone: number;
  rowsEstimate: number | null;
  cursor: Record<string, string | number | null>;
  batchSize: number | null;
  lastBatchMs: number | null;
  attempts: number;
  heartbeatAt: Date | null;
  lastError: string | null;
}

type Queryable = Pick<pg.ClientBase, "query">;

/** Every row of the data table, oldest first (fails with 42P01 when the table does not exist). */
export const SELECT_DATA_RECORDS = `SELECT * FROM "${DATA_TABLE}" ORDER BY started_at, name`;

/** One row of SELECT_DATA_RECORDS as a record. */
export function toDataRecord(row: Record<string, unknown>): DataRecord {
  return {
    id: row.id as string,
    name: row.name as string,
    checksum: row.checksum as string,
    anchor: (row.anchor as string | null) ?? null,
    status: row.status as DataStatus,
    startedAt: row.started_at as Date,
    finishedAt: (row.finished_at as Date | null) ?? null,
    rolledBackAt: (row.rolled_back_at as Date | null) ?? null,
    rowsDone: Number(row.rows_done),
    rowsEstimate: row.rows_estimate === null ? null : Number(row.rows_estimate),
    cursor: (row.cursor as Record<string, string | number | null>) ?? {},
    batchSize: (row.batch_size as number | null) ?? null,
    lastBatchMs: (row.last_batch_ms as number | null) ?? null,
    attempts: row.attempts as number,
    heartbeatAt: (row.heartbeat_at as Date | null) ?? null,
    lastError: (row.last_error as string | null) ?? null,
  };
}

/** Every row, oldest first; empty when the table does not exist yet. */
export async function readDataRecords(db: Queryable): Promise<DataRecord[]> {
  const exists = await db.query<{ exists: boolean }>("SELECT to_regclass($1) IS NOT NULL AS exists", [`"${DATA_TABLE}"`]);
  if (!exists.rows[0]?.exists) return [];
  const { rows } = await db.query<Record<string, unknown>>(SELECT_DATA_RECORDS);
  return rows.map(toDataRecord);
}

/** The live record per name: the latest run not rolled back. */
export function liveDataRecords(records: DataRecord[]): Map<string, DataRecord> {
  const live = new Map<string, DataRecord>();
  for (const record of records) if (!record.rolledBackAt) live.set(record.name, record);
  return live;
}

export async function insertDataRecord(db: Queryable, fields: { name: string; checksum: string; anchor: string | null; status: DataStatus }): Promise<string> {
  const id = randomUUID();
  await db.query(`INSERT INTO "${DATA_TABLE}" (id, name, checksum, anchor, status, heartbeat_at) VALUES ($1, $2, $3, $4, $5, now())`, [id, fields.name, fields.checksum, fields.anchor, fields.status]);
  return id;
}

export async function updateDataRecord(db: Queryable, id: string, fields: Partial<Record<"status" | "last_error" | "rows_estimate" | "batch_size" | "last_batch_ms", unknown>> & { finished?: boolean; rolledBack?: boolean; attempt?: boolean }): Promise<void> {
  const sets: string[] = ["heartbeat_at = clock_timestamp()"];
  const values: unknown[] = [id];
  for (const [column, value] of Object.entries(fields)) {
    if (["finished", "rolledBack", "attempt"].includes(column)) continue;
    values.push(value);
    sets.push(`${column} = $${values.length}`);
  }
  if (fields.finished) sets.push("finished_at = clock_timestamp()");
  if (fields.rolledBack) sets.push("rolled_back_at = clock_timestamp()");
  if (fields.attempt) sets.push("attempts = attempts + 1");
  await db.query(`UPDATE "${DATA_TABLE}" SET ${sets.join(", ")} WHERE id = $1`, values);
}

/** One batch's bookkeeping, in the batch's transaction: rows, the loop's cursor, size and duration. */
export async function recordBatch(db: Queryable, id: string, loop: string, cursor: string | number, rows: number, batchSize: number, batchMs: number): Promise<void> {
  await db.query(
    `UPDATE "${DATA_TABLE}" SET rows_done = rows_done + $2, cursor = jsonb_set(cursor, ARRAY[$3::text], to_jsonb($4::text)), batch_size = $5, last_batch_ms = $6, heartbeat_at = clock_timestamp() WHERE id = $1`,
    [id, rows, loop, String(cursor), batchSize, batchMs],
  );
}
