// The batch loop behind `ctx.batch`: keyset pagination over a table, each batch and its cursor
// committed in one transaction (so a crash loses at most the batch in flight, and a rerun processes
// every row exactly once), batch size adapting to a target duration, stoppable between batches.
import { setTimeout as sleep } from "node:timers/promises";
import type pg from "pg";
import { MigrateError } from "../errors.ts";
import type { Logger } from "../runtime/logger.ts";
import type { BatchOptions, BatchResult } from "./define.ts";
import { blockingWatcher, type BlockingWatcher } from "./blocking-watch.ts";
import { recordBatch, updateDataRecord } from "./records.ts";

/** Raised when a stop was requested (SIGTERM): progress is committed and a rerun resumes. */
export class InterruptedError extends MigrateError {
  override readonly name: string = "InterruptedError";
  constructor(readonly migration: string) {
    super("INTERRUPTED", `Stopped on request at ${migration}; everything committed so far stays.`, "Run the same deploy again to continue where it stopped.");
  }
}

export interface BatchEnvironment {
  db: pg.Client;
  migration: string;
  recordId: string;
  /** Cursors committed by earlier runs, by loop name. */
  cursors: Record<string, string | number | null>;
  rowsDoneBefore: number;
  statementTimeoutMs: number;
  log: Logger;
  signal: AbortSignal;
  /** Prefix for loop names (down runs keep their own cursors). */
  loopPrefix?: string;
  /** Opens a connection of its own, to watch the batch in flight (BatchOptions.maxBlockingMs); none: no watch. */
  openWatcher?: () => Promise<pg.Client>;
}

const GROWTH = 1.2;
const PROGRESS_EVERY_MS = 2_000;

/** Whether another session is waiting for a lock this session holds (a row of the batch in flight). */
async function blocksOthers(db: pg.Client): Promise<boolean> {
  const { rows } = await db.query<{ blocking: boolean }>(
    `SELECT EXISTS (SELECT 1 FROM pg_stat_activity
                     WHERE wait_event_type = 'Lock' AND pid <> pg_backend_pid() AND pg_backend_pid() = ANY (pg_blocking_pids(pid))) AS blocking`,
  );
  return rows[0]?.blocking === true;
}

/** Runs `options.apply` over the table in committed batches; see BatchOptions. */
export async function runBatches(options: BatchOptions, env: BatchEnvironment): Promise<BatchResult> {
  const maxBlockingMs = options.maxBlockingMs ?? 50;
  const watcher = env.openWatcher && maxBlockingMs > 0 ? blockingWatcher(env.openWatcher, maxBlockingMs) : undefined;
  try {
    return await batchLoop(options, env, watcher, maxBlockingMs);
  } finally {
    await watcher?.close();
  }
}

async function batchLoop(options: BatchOptions, env: BatchEnvironment, watcher: BlockingWatcher | undefined, maxBlockingMs: number): Promise<BatchResult> {
  const { db, log, signal } = env;
  const loop = `${env.loopPrefix ?? ""}${options.name ?? "main"}`;
  let target = options.targetBatchMs ?? 200;
  const contendedTarget = Math.min(target, options.contendedBatchMs ?? 50);
  let contended = false;
  const min = options.minBatchSize ?? 100;
  const max = options.maxBatchSize ?? 50_000;
  let size = Math.min(max, Math.max(min, options.initialBatchSize ?? 1_000));
  let cursor = env.cursors[loop] ?? null;
  const table = options.table;
  const key = options.key;
  const filter = options.where ? ` AND (${options.where})` : "";
  const after = (param: string) => (cursor === null ? "TRUE" : `${key} > ${param}`);

  const pid = watcher ? (await db.query<{ pid: number }>("SELECT pg_backend_pid() AS pid")).rows[0]?.pid : undefined;
  /** Aims at the contended target from now on (once), saying why. */
  const contend = (why: string) => {
    if (contended || target <= contendedTarget) return;
    contended = true;
    target = contendedTarget;
    log.warn(`${env.migration}: ${why}; aiming at ${target} ms batches from now on`, { event: "batch_contended", migration: env.migration, targetBatchMs: target });
  };
  const remaining = await db.query<{ n: string }>(`SELECT count(*)::text AS n FROM ${table} WHERE ${after("$1")}${filter}`, cursor === null ? [] : [cursor]);
  const estimate = env.rowsDoneBefore + Number(remaining.rows[0]?.n ?? 0);
  await updateDataRecord(db, env.recordId, { rows_estimate: estimate });

  const started = Date.now();
  let rows = 0;
  let batches = 0;
  let lastProgress = started;
  let firstProgress = true;
  for (;;) {
    if (signal.aborted) throw new InterruptedError(env.migration);
    const batchStarted = Date.now();
    // One round trip. synchronous_commit off: a batch's COMMIT does not wait for its WAL to reach the
    // disk. Exactly-once holds: a server crash can lose the last batches, but each with its own cursor,
    // and the record that ends the loop commits synchronously, flushing everything before it.
    await db.query(`BEGIN; SET LOCAL statement_timeout = '${env.statementTimeoutMs}ms'; SET LOCAL synchronous_commit = off`);
    let upTo: string | number | null;
    let processed: number;
    let cancelled = false;
    try {
      const next = await db.query<{ upto: string | number | null }>(
        `SELECT max(k)::text AS upto FROM (SELECT ${key} AS k FROM ${table} WHERE ${after("$2")}${filter} ORDER BY ${key} LIMIT $1) AS batch`,
        cursor === null ? [size] : [size, cursor],
      );
      upTo = next.rows[0]?.upto ?? null;
      if (upTo === null) {
        await db.query("COMMIT");
        break;
      }
      // At the smallest size the batch is not watched: it always finishes, so the loop always moves on.
      const watch = pid === undefined || size <= min ? undefined : watcher?.watch(pid);
      try {
        processed = await options.apply(db, { after: cursor, upTo });
      } finally {
        cancelled = (await watch?.stop()) ?? false;
      }
      await recordBatch(db, env.recordId, loop, upTo, processed, size, Date.now() - batchStarted);
      if (cancelled) contend(`a batch kept another session waiting over ${maxBlockingMs} ms for its row locks`);
      else if (!contended && target > contendedTarget && (await blocksOthers(db))) contend("a batch made another session wait for its row locks");
      await db.query("COMMIT");
    } catch (error) {
      await db.query("ROLLBACK").catch(() => {});
      // Cancelled by the watcher (SQLSTATE 57014, or whatever apply made of it): rolled back whole, so
      // the range is done again, smaller.
      if (cancelled) {
        const tookMs = Math.max(1, Date.now() - batchStarted);
        size = Math.max(min, Math.min(Math.floor(size / 2), Math.round((size * contendedTarget) / tookMs)));
        log.warn(`${env.migration}: the batch in flight kept another session waiting over ${maxBlockingMs} ms for its row locks; rolled it back to let it through, redoing it with ${size} rows`, {
          event: "batch_yielded", migration: env.migration, batchSize: size,
        });
        contend(`a batch kept another session waiting over ${maxBlockingMs} ms for its row locks`);
        continue;
      }
      if ((error as { code?: string }).code === "57014" && size > min) {
        size = Math.max(min, Math.floor(size / 2));
        log.warn(`${env.migration}: a batch hit statement_timeout; retrying it with ${size} rows`, { event: "batch_timeout", migration: env.migration, batchSize: size });
        continue;
      }
      throw error;
    }
    cursor = upTo;
    rows += processed;
    batches += 1;
    const took = Math.max(1, Date.now() - batchStarted);
    size = Math.round(Math.min(max, Math.max(min, size * Math.min(GROWTH, target / took))));

    const now = Date.now();
    if (firstProgress || now - lastProgress >= PROGRESS_EVERY_MS) {
      firstProgress = false;
      lastProgress = now;
      const done = env.rowsDoneBefore + rows;
      const rate = rows / Math.max(0.001, (now - started) / 1000);
      log.info(`${env.migration}: ${done}/${estimate} rows, ${Math.round(rate)} rows/s`, {
        event: "progress", migration: env.migration, rowsDone: done, rowsEstimate: estimate, rowsPerSecond: Math.round(rate),
        etaSeconds: rate > 0 ? Math.max(0, Math.round((estimate - done) / rate)) : null, batchSize: size,
      });
    }
    if (options.maxRowsPerSecond) {
      const earliest = started + (rows / options.maxRowsPerSecond) * 1000;
      if (earliest > Date.now()) await sleep(earliest - Date.now(), undefined, { signal }).catch(() => {});
    }
    if (options.pauseMs) await sleep(options.pauseMs, undefined, { signal }).catch(() => {});
  }
  return { rows, batches, durationMs: Date.now() - started };
}
