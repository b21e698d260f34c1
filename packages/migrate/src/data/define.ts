// The shape of a data migration and the context it runs with. A data-migration file default-exports
// `defineDataMigration({ anchor, up, down?, transaction? })`; the engine runs it after its anchor
// schema migration and before any later one.
import type { Logger } from "../runtime/logger.ts";

/** The SQL handle a data migration gets: the migration connection (inside its transaction when transactional). */
export interface SqlHandle {
  query<Row extends Record<string, unknown> = Record<string, unknown>>(text: string, values?: unknown[]): Promise<{ rows: Row[]; rowCount: number | null }>;
}

/** One batch's key range: keys greater than `after` (null for the first batch) up to and including `upTo`. */
export interface KeyRange {
  after: string | number | null;
  upTo: string | number;
}

export interface BatchOptions {
  /** Names this loop's cursor, when one migration runs several loops (default "main"). */
  name?: string;
  /** The table to walk, e.g. `"post"` (quoted as given: use the database name). */
  table: string;
  /** A unique, indexed column to walk in order (keyset pagination), e.g. `"id"`. */
  key: string;
  /** Optional SQL condition choosing the rows to process, e.g. `"category_id IS NULL"`. */
  where?: string;
  /**
   * Processes the rows whose key is in `range` (and match `where`), in the batch's transaction;
   * returns how many rows it processed. Runs exactly once per range, even across crashes.
   */
  apply: (tx: SqlHandle, range: KeyRange) => Promise<number>;
  /** Target duration of one batch; the size adapts to it (default 200 ms). */
  targetBatchMs?: number;
  /**
   * The target once a batch has made another session wait for one of its row locks (default 50 ms):
   * a writer that touches a row of the batch in flight waits until the batch commits, so shorter
   * batches bound the application's worst latency. Checked at the end of each batch, in its
   * transaction; once seen, kept for the rest of the loop.
   */
  contendedBatchMs?: number;
  /**
   * How long the batch in flight may keep another session waiting for one of its row locks (default
   * 50 ms; 0: no limit). Past it, a connection of its own cancels the batch: rolled back whole, cursor
   * included, so the waiting write goes through and the range is redone smaller (and the loop aims at
   * `contendedBatchMs` from then on). Nothing is lost or done twice.
   */
  maxBlockingMs?: number;
  /** First batch size (default 1,000 rows), and bounds for the adaptation (default 100 … 50,000). */
  initialBatchSize?: number;
  minBatchSize?: number;
  maxBatchSize?: number;
  /** A pause between batches, to leave room for other work (default 0). */
  pauseMs?: number;
  /** A ceiling on rows processed per second (default none). */
  maxRowsPerSecond?: number;
}

export interface BatchResult {
  rows: number;
  batches: number;
  durationMs: number;
}

export interface DataMigrationContext<Client = unknown> {
  /** The application's database client (the Prisma client, when the migrator is given a factory). */
  client: Client;
  /** Raw SQL on the migration connection. */
  sql: SqlHandle;
  log: Logger;
  /**
   * Walks a table in key order, committing each batch together with its cursor: after a crash a rerun
   * resumes from the last committed batch, so every row is processed exactly once. Only in migrations
   * with `transaction: false`. Code outside `batch` runs again on a resume: keep it idempotent.
   */
  batch: (options: BatchOptions) => Promise<BatchResult>;
  /** Aborted when the process is asked to stop (SIGTERM): `batch` stops after the current batch. */
  signal: AbortSignal;
}

export interface DataMigration<Client = unknown> {
  /** The schema migration that was newest when this one was written: it runs right after that one. */
  anchor: string | null;
  up(ctx: DataMigrationContext<Client>): Promise<void>;
  /** Undoes `up`; without it the migration is irreversible and `down` refuses before running anything. */
  down?(ctx: DataMigrationContext<Client>): Promise<void>;
  /**
   * true (default): `up`/`down` and the record commit in one transaction. false: required for
   * `ctx.batch`; progress commits batch by batch and a rerun resumes.
   */
  transaction?: boolean;
}

/** Declares a data migration (typed; returns it unchanged). */
export function defineDataMigration<Client = unknown>(migration: DataMigration<Client>): DataMigration<Client> {
  return migration;
}
