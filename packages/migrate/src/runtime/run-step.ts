// Runs one planned step and records it. A transactional step's SQL and its history row commit in one
// transaction; a step that cannot run in a transaction goes statement by statement, recording its
// progress after each, so a rerun after a crash continues where it stopped. Lock timeouts are retried
// with jittered exponential backoff within a budget.
import { setTimeout as sleep } from "node:timers/promises";
import type pg from "pg";
import { MigrateError, MigrationFailedError } from "../errors.ts";
import { bookkeepingSql, transactionText, type SchemaPlanStep as PlanStep } from "../plan.ts";
import { IN_PROGRESS_MARK, recordFailure, recordFinished, recordProgress, recordStarted, TRANSACTION_FAILED_MARK } from "../state/history-table.ts";
import type { Statement } from "./analyse.ts";
import { quoteIdent } from "./connection.ts";
import type { Logger } from "./logger.ts";
import { RETRYABLE_SQLSTATES, retryDelay, type RunSettings } from "./settings.ts";

export { IN_PROGRESS_MARK, TRANSACTION_FAILED_MARK } from "../state/history-table.ts";

export interface StepResult {
  name: string;
  /** A schema migration (SQL) or a data migration (code). */
  kind: "schema" | "data";
  direction: "up" | "down";
  outcome: "applied" | "failed";
  durationMs: number;
  /** Attempts after the first, on lock timeouts. */
  retries: number;
  mode: "transaction" | "statements";
  error?: MigrationFailedError | undefined;
}

interface PgError {
  code?: string;
  message?: string;
  position?: string;
  detail?: string;
  hint?: string;
}

/** "file:line:col: message" and the offending line, from an error's position in `text` (sent at `offset` of the file). */
function describeSqlError(error: unknown, file: string, script: string, offset: number): { sqlState?: string | undefined; detail: string } {
  const e = error as PgError;
  const message = e.message ?? String(error);
  const position = Number(e.position);
  const extra = [e.detail && `DETAIL: ${e.detail}`, e.hint && `HINT: ${e.hint}`].filter(Boolean).join("\n");
  if (!Number.isFinite(position) || position < 1) return { sqlState: e.code, detail: `${file}: ${message}${extra ? `\n${extra}` : ""}` };
  const at = offset + position - 1;
  const before = script.slice(0, at);
  const line = before.split("\n").length;
  const column = at - before.lastIndexOf("\n");
  const text = script.split("\n")[line - 1] ?? "";
  return { sqlState: e.code, detail: `${file}:${line}:${column}: ${message}\n  ${line} | ${text}${extra ? `\n${extra}` : ""}` };
}

const isRetryable = (error: unknown) => RETRYABLE_SQLSTATES.has((error as PgError).code ?? "");

/** A database error that ended a step, with what the step knows about it. */
class StepError extends Error {
  constructor(
    override readonly cause: unknown,
    readonly retries: number,
    /** Where the failing text starts in the file (statement-by-statement runs). */
    readonly offset = 0,
  ) {
    super((cause as PgError).message ?? String(cause));
  }
}

/** Runs `attempt` again on lock timeouts and deadlocks, until the retry budget is spent. */
async function withRetries<T>(step: PlanStep, settings: RunSettings, log: Logger, attempt: () => Promise<T>): Promise<{ value: T; retries: number }> {
  let retries = 0;
  let waited = 0;
  for (;;) {
    try {
      return { value: await attempt(), retries };
    } catch (error) {
      const delay = retryDelay(settings.retry, retries + 1);
      if (!isRetryable(error) || waited + delay > settings.retry.budgetMs) throw new StepError(error, retries);
      retries += 1;
      waited += delay;
      log.warn(`${step.name}: ${(error as PgError).message} [SQLSTATE ${(error as PgError).code}]; retry ${retries} in ${delay} ms`, {
        event: "retry", migration: step.name, sqlState: (error as PgError).code, retry: retries, delayMs: delay,
      });
      await sleep(delay);
    }
  }
}

async function runInTransaction(db: pg.Client, step: PlanStep, settings: RunSettings, log: Logger): Promise<number> {
  const { text } = transactionText(step);
  const { retries } = await withRetries(step, settings, log, async () => {
    try {
      await db.query(text);
      await db.query("COMMIT");
    } catch (error) {
      // The failed statement aborted the transaction the text opened; end it.
      await db.query("ROLLBACK").catch(() => {});
      throw error;
    }
  });
  return retries;
}

/** Drops an INVALID index left by an interrupted or failed CREATE INDEX CONCURRENTLY, so it can be rebuilt. */
async function dropInvalidIndex(db: pg.Client, statement: Statement, log: Logger, step: PlanStep): Promise<void> {
  if (!statement.indexName) return;
  const { rows } = await db.query<{ schema: string; valid: boolean }>(
    `SELECT n.nspname AS schema, i.indisvalid AS valid FROM pg_class c JOIN pg_index i ON i.indexrelid = c.oid JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE c.relname = $1 AND n.nspname = COALESCE($2, current_schema())`,
    [statement.indexName, statement.indexSchema ?? null],
  );
  const index = rows[0];
  if (!index || index.valid) return;
  log.warn(`${step.name}: index ${statement.indexName} is INVALID (a concurrent build failed or was interrupted); dropping it to rebuild`, {
    event: "invalid_index", migration: step.name, index: statement.indexName,
  });
  await db.query(`DROP INDEX CONCURRENTLY IF EXISTS ${quoteIdent(index.schema)}.${quoteIdent(statement.indexName)}`);
}

async function runStatements(db: pg.Client, step: PlanStep, settings: RunSettings, log: Logger): Promise<number> {
  const statements = step.analysis.statements;
  await db.query(`SET lock_timeout = '${step.lockTimeoutMs}ms'`);
  await db.query(`SET statement_timeout = '${step.statementTimeoutMs}ms'`);
  if (step.direction === "up" && !step.record) await recordStarted(db, step.name, step.migration.checksum, IN_PROGRESS_MARK, step.recordId);
  let retries = 0;
  for (let i = step.resumeFrom; i < statements.length; i++) {
    const statement = statements[i] as Statement;
    // Before every attempt: a build that failed or timed out (and is retried) leaves an INVALID index.
    // A statement that can run in a transaction commits together with its progress: a run killed
    // mid-statement cannot commit it (its session never gets the COMMIT), so a rerun does it once.
    const atomic = step.direction === "up" && statement.transactional;
    const attempt = async () => {
      if (statement.createsIndexConcurrently) await dropInvalidIndex(db, statement, log, step);
      if (!atomic) return db.query(statement.sql);
      await db.query("BEGIN");
      try {
        await db.query(statement.sql);
        await recordProgress(db, step.recordId, i + 1);
        await db.query("COMMIT");
      } catch (error) {
        await db.query("ROLLBACK").catch(() => {});
        throw error;
      }
    };
    try {
      retries += (await withRetries(step, settings, log, attempt)).retries;
    } catch (error) {
      throw error instanceof StepError ? new StepError(error.cause, retries + error.retries, statement.start) : error;
    }
    if (step.direction === "up" && !atomic) await recordProgress(db, step.recordId, i + 1);
  }
  if (step.direction === "up") await recordFinished(db, step.recordId, statements.length);
  else await db.query(bookkeepingSql(step, 0));
  return retries;
}

/** Runs one step on `db` (the migration connection; the lock is held elsewhere). Never throws for SQL failures: they are results. */
export async function runStep(db: pg.Client, step: PlanStep, settings: RunSettings, log: Logger): Promise<StepResult> {
  const started = Date.now();
  const mode = step.analysis.transactional ? "transaction" : "statements";
  try {
    const retries = mode === "transaction" ? await runInTransaction(db, step, settings, log) : await runStatements(db, step, settings, log);
    const result: StepResult = { name: step.name, kind: "schema", direction: step.direction, outcome: "applied", durationMs: Date.now() - started, retries, mode };
    log.info(`${step.direction === "up" ? "Applied" : "Rolled back"} ${step.name} in ${result.durationMs} ms`, { event: "step", ...result });
    return result;
  } catch (error) {
    if (error instanceof MigrateError) throw error;
    const cause = error instanceof StepError ? error.cause : error;
    // Positions count from the text sent: the statement's start in the file, or before the script's prefix.
    const offset = mode === "transaction" ? -transactionText(step).scriptOffset : error instanceof StepError ? error.offset : 0;
    const { sqlState, detail } = describeSqlError(cause, `${step.name}/${step.file}`, step.script, offset);
    const failure = new MigrationFailedError(step.name, step.direction, sqlState, detail, mode === "transaction");
    if (step.direction === "up") {
      const logs = mode === "transaction" ? `${TRANSACTION_FAILED_MARK}\n${failure.message}` : `migrator: failed, may be partly applied\n${failure.message}`;
      await recordFailure(db, mode === "statements" ? step.recordId : undefined, step.name, step.migration.checksum, logs, new Date(started)).catch(() => {});
    }
    const retries = error instanceof StepError ? error.retries : 0;
    log.warn(failure.message, { event: "step_failed", migration: step.name, direction: step.direction, sqlState });
    return { name: step.name, kind: "schema", direction: step.direction, outcome: "failed", durationMs: Date.now() - started, retries, mode, error: failure };
  }
}
