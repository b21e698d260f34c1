// Runs one data migration, up or down, and records it in `_data_migrations`. Transactional ones
// commit their work and their record together; batched ones (transaction: false) commit batch by
// batch through ctx.batch and resume from their cursors after a crash or a stop.
import type pg from "pg";
import { MigrateError, MigrationFailedError } from "../errors.ts";
import type { Logger } from "../runtime/logger.ts";
import type { StepResult } from "../runtime/run-step.ts";
import { InterruptedError, runBatches } from "./batch.ts";
import type { DataMigration, DataMigrationContext } from "./define.ts";
import type { LocalDataMigration } from "./folder.ts";
import { insertDataRecord, updateDataRecord, type DataRecord } from "./records.ts";

export interface DataPlanStep {
  kind: "data";
  direction: "up" | "down";
  name: string;
  local: LocalDataMigration;
  definition: DataMigration;
  /** The live record: the run a `down` undoes, or the stopped run an `up` resumes. */
  record?: DataRecord | undefined;
  transactional: boolean;
}

export interface DataRunEnvironment {
  db: pg.Client;
  client: unknown;
  log: Logger;
  signal: AbortSignal;
  statementTimeoutMs: number;
  /** Opens a connection of its own for ctx.batch's watch of the batch in flight. */
  openWatcher?: () => Promise<pg.Client>;
}

/** A data migration that threw. The failing batch (or the whole transaction) was rolled back. */
export class DataMigrationFailedError extends MigrationFailedError {
  override readonly name: string = "DataMigrationFailedError";
  override readonly hint: string;
  constructor(migration: string, direction: "up" | "down", sqlState: string | undefined, detail: string, transactional: boolean) {
    super(migration, direction, sqlState, detail, transactional);
    this.hint = transactional
      ? "It ran in one transaction: nothing of it was applied. Fix the file and deploy again."
      : "Its committed batches stay; the failing batch was rolled back. Fix the file and deploy again: it resumes after the last committed batch.";
  }
}

function context(step: DataPlanStep, env: DataRunEnvironment, recordId: string | undefined, cursors: Record<string, string | number | null>, rowsDone: number): DataMigrationContext {
  return {
    client: env.client,
    sql: env.db,
    log: env.log,
    signal: env.signal,
    batch: (options) => {
      if (step.transactional || !recordId) {
        throw new MigrateError("BATCH_IN_TRANSACTION", `${step.name}: ctx.batch commits batch by batch and cannot run inside the migration's transaction.`, "Declare `transaction: false` in its defineDataMigration.");
      }
      return runBatches(options, {
        db: env.db, migration: step.name, recordId, cursors, rowsDoneBefore: rowsDone, statementTimeoutMs: env.statementTimeoutMs,
        log: env.log, signal: env.signal, loopPrefix: step.direction === "down" ? "down:" : "", openWatcher: env.openWatcher,
      });
    },
  };
}

const describe = (error: unknown) => {
  const e = error as { message?: string; code?: string; detail?: string };
  return { sqlState: typeof e.code === "string" && /^[0-9A-Z]{5}$/.test(e.code) ? e.code : undefined, detail: `${e.message ?? String(error)}${e.detail ? `\nDETAIL: ${e.detail}` : ""}` };
};

/** Runs one data step. SQL and code failures are results; a stop request throws InterruptedError after recording it. */
export async function runDataStep(step: DataPlanStep, env: DataRunEnvironment): Promise<StepResult> {
  const started = Date.now();
  const { db } = env;
  const { definition } = step;
  const run = step.direction === "up" ? (ctx: DataMigrationContext) => definition.up(ctx) : definition.down && ((ctx: DataMigrationContext) => definition.down!(ctx));
  if (!run) throw new MigrateError("NO_DOWN_SCRIPT", `Data migration ${step.name} has no down: it is irreversible.`);
  const base = { name: step.name, direction: step.direction, kind: "data" as const, retries: 0, mode: step.transactional ? ("transaction" as const) : ("statements" as const) };

  if (step.transactional) {
    await db.query("BEGIN");
    try {
      await db.query(`SET LOCAL statement_timeout = '${env.statementTimeoutMs}ms'`);
      await run(context(step, env, undefined, {}, 0));
      if (step.direction === "up") {
        const id = await insertDataRecord(db, { name: step.name, checksum: step.local.checksum, anchor: step.local.anchor, status: "applied" });
        await updateDataRecord(db, id, { finished: true });
      } else {
        await updateDataRecord(db, step.record?.id ?? "", { status: "rolled_back", rolledBack: true });
      }
      await db.query("COMMIT");
    } catch (error) {
      await db.query("ROLLBACK").catch(() => {});
      if (error instanceof MigrateError && !(error instanceof MigrationFailedError)) throw error;
      const { sqlState, detail } = describe(error);
      const failure = new DataMigrationFailedError(step.name, step.direction, sqlState, detail, true);
      if (step.direction === "up") {
        const id = await insertDataRecord(db, { name: step.name, checksum: step.local.checksum, anchor: step.local.anchor, status: "failed" }).catch(() => undefined);
        if (id) await updateDataRecord(db, id, { last_error: failure.message }).catch(() => {});
      }
      env.log.warn(failure.message, { event: "step_failed", migration: step.name, kind: "data" });
      return { ...base, outcome: "failed", durationMs: Date.now() - started, error: failure };
    }
    env.log.info(`${step.direction === "up" ? "Applied" : "Rolled back"} data migration ${step.name} in ${Date.now() - started} ms`, { event: "step", ...base });
    return { ...base, outcome: "applied", durationMs: Date.now() - started };
  }

  // Batched: the record exists before the work, so every committed batch has somewhere to write its cursor.
  let recordId = step.record?.id;
  if (step.direction === "up") {
    if (recordId) await updateDataRecord(db, recordId, { status: "running", last_error: null, attempt: true });
    else recordId = await insertDataRecord(db, { name: step.name, checksum: step.local.checksum, anchor: step.local.anchor, status: "running" });
    // A fixed file resumes: the record takes the checksum of what now runs.
    await db.query(`UPDATE "_data_migrations" SET checksum = $2 WHERE id = $1`, [recordId, step.local.checksum]);
  }
  const cursors = step.record?.cursor ?? {};
  try {
    await db.query(`SET statement_timeout = '${env.statementTimeoutMs}ms'`);
    await run(context(step, env, recordId, cursors, step.direction === "up" ? (step.record?.rowsDone ?? 0) : 0));
    if (step.direction === "up") await updateDataRecord(db, recordId as string, { status: "applied", finished: true });
    else await updateDataRecord(db, recordId as string, { status: "rolled_back", rolledBack: true });
  } catch (error) {
    if (error instanceof InterruptedError) {
      if (step.direction === "up") await updateDataRecord(db, recordId as string, { status: "interrupted" }).catch(() => {});
      throw error;
    }
    if (error instanceof MigrateError && !(error instanceof MigrationFailedError)) throw error;
    const { sqlState, detail } = describe(error);
    const failure = new DataMigrationFailedError(step.name, step.direction, sqlState, detail, false);
    if (step.direction === "up") await updateDataRecord(db, recordId as string, { status: "failed", last_error: failure.message }).catch(() => {});
    env.log.warn(failure.message, { event: "step_failed", migration: step.name, kind: "data" });
    return { ...base, outcome: "failed", durationMs: Date.now() - started, error: failure };
  }
  env.log.info(`${step.direction === "up" ? "Applied" : "Rolled back"} data migration ${step.name} in ${Date.now() - started} ms`, { event: "step", ...base });
  return { ...base, outcome: "applied", durationMs: Date.now() - started };
}
