// Runs a plan's schema steps and records them. A transactional step's SQL and its history row commit
// in one transaction; a step that cannot run in a transaction goes statement by statement, recording
// its progress after each, so a rerun after a crash continues where it stopped. Lock timeouts are
// retried with jittered exponential backoff within a budget.
import { setTimeout as sleep } from "node:timers/promises";
import type pg from "pg";
import { MigrateError, MigrationFailedError } from "../errors.ts";
import { BATCH_DURATION_COLUMN, bookkeepingSql, transactionText, unbatched, type SchemaPlanStep as PlanStep } from "../plan.ts";
import { HISTORY_TABLE, IN_PROGRESS_MARK, recordFailure, recordFinished, recordProgress, recordStarted, TRANSACTION_FAILED_MARK } from "../state/history-table.ts";
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

/** The COMMIT of the step before, sent ahead of this step's text, failed: that step failed, this one never ran. */
class PreviousCommitError extends Error {
  constructor(override readonly cause: unknown) {
    super((cause as PgError).message ?? String(cause));
  }
}

/**
 * A stop was requested (SIGTERM) while a step waited to retry a lock timeout: the attempt that failed
 * was rolled back, so the step is not applied, and a rerun runs it again.
 */
class StoppedBeforeRetry extends Error {
  constructor(readonly migration: string) {
    super(`${migration}: stopped on request before retrying`);
  }
}

/**
 * Runs `attempt` again on lock timeouts and deadlocks, until the retry budget is spent. A stop
 * requested through `signal` ends the wait before a retry with StoppedBeforeRetry.
 */
async function withRetries<T>(step: PlanStep, settings: RunSettings, log: Logger, attempt: () => Promise<T>, signal?: AbortSignal): Promise<{ value: T; retries: number }> {
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
      if (signal?.aborted) throw new StoppedBeforeRetry(step.name);
      await sleep(delay, undefined, { signal }).catch(() => {
        throw new StoppedBeforeRetry(step.name);
      });
    }
  }
}

/** A transactional step whose script and bookkeeping ran and whose COMMIT is not sent yet. */
interface OpenStep {
  step: PlanStep;
  /** When the step started and how long its script took (its COMMIT is quick and comes later). */
  started: number;
  durationMs: number;
  retries: number;
}

const COMMIT_AHEAD = "COMMIT;\n";

/**
 * Runs `step`'s transaction text, leaving the transaction open; resolves with the retries. With
 * `previous`, the previous step's COMMIT goes first in the same query, and `committed` is called as
 * soon as it is known to have taken: when the query succeeds, or, when it fails, as read back from
 * the history (a PreviousCommitError when it did not take, or when that cannot be read).
 */
async function runInTransaction(db: pg.Client, step: PlanStep, settings: RunSettings, log: Logger, previous: OpenStep | undefined, committed: () => void, signal?: AbortSignal): Promise<number> {
  const { text } = transactionText(step);
  let ahead = previous ? COMMIT_AHEAD : "";
  const { retries } = await withRetries(step, settings, log, async () => {
    try {
      await db.query(`${ahead}${text}`);
    } catch (error) {
      // The failed statement aborted the transaction the text opened; end it. (After a failed
      // COMMIT there is none, and PostgreSQL only warns.)
      await db.query("ROLLBACK").catch(() => {});
      if (ahead && previous) {
        if (!(await isCommitted(db, previous.step).catch(() => false))) throw new PreviousCommitError(error);
        ahead = "";
        committed();
      }
      throw error;
    }
    if (ahead) committed();
    ahead = "";
  }, signal);
  return retries;
}

/** Whether a transactional step's bookkeeping is committed (its history row written or updated). */
async function isCommitted(db: pg.Client, step: PlanStep): Promise<boolean> {
  const { rows } = await db.query<{ done: boolean }>(
    step.direction === "up"
      ? `SELECT EXISTS (SELECT 1 FROM "${HISTORY_TABLE}" WHERE id = $1) AS done`
      : `SELECT EXISTS (SELECT 1 FROM "${HISTORY_TABLE}" WHERE id = $1 AND rolled_back_at IS NOT NULL) AS done`,
    [step.direction === "up" ? step.recordId : (step.record?.id ?? "")],
  );
  return rows[0]?.done ?? false;
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

async function runStatements(db: pg.Client, step: PlanStep, settings: RunSettings, log: Logger, signal?: AbortSignal): Promise<number> {
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
      retries += (await withRetries(step, settings, log, attempt, signal)).retries;
    } catch (error) {
      throw error instanceof StepError ? new StepError(error.cause, retries + error.retries, statement.start) : error;
    }
    if (step.direction === "up" && !atomic) await recordProgress(db, step.recordId, i + 1);
  }
  if (step.direction === "up") await recordFinished(db, step.recordId, statements.length);
  else await db.query(bookkeepingSql(step, 0));
  return retries;
}

/**
 * Makes every commit so far durable, for a run that stops before its last step (whose own commit
 * would have). A commit waits for the WAL flush only when its transaction wrote something, so this
 * writes: it rewrites one history row unchanged, in a transaction committed synchronously.
 */
export async function flushCommits(db: pg.Client): Promise<void> {
  await db.query(`UPDATE "${HISTORY_TABLE}" SET applied_steps_count = applied_steps_count WHERE id = (SELECT id FROM "${HISTORY_TABLE}" LIMIT 1)`);
}

const applied = (step: PlanStep, mode: StepResult["mode"], durationMs: number, retries: number, log: Logger): StepResult => {
  const result: StepResult = { name: step.name, kind: "schema", direction: step.direction, outcome: "applied", durationMs, retries, mode };
  log.info(`${step.direction === "up" ? "Applied" : "Rolled back"} ${step.name} in ${durationMs} ms`, { event: "step", ...result });
  return result;
};

/** Turns the error that ended `step` into its failed result, recording the failure for an up. */
async function failed(db: pg.Client, step: PlanStep, mode: StepResult["mode"], error: unknown, started: number, offset: number, log: Logger): Promise<StepResult> {
  const cause = error instanceof StepError ? error.cause : error;
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

/**
 * Runs a plan's schema steps, in order, on `db` (the migration connection; the lock is held
 * elsewhere). Never throws for SQL failures: they are results.
 *
 * A transactional step's COMMIT goes out at the start of the next transactional step's query, one
 * round trip per step instead of two: `COMMIT;` then the next step's `BEGIN; …`. It is still sent only
 * once the step's own script and bookkeeping have succeeded, and the next step's text never holds its
 * own COMMIT, so a session whose client was killed can commit nothing the client had not decided to
 * commit. A step's result (and its "Applied" line) is reported once its COMMIT has succeeded.
 */
export class StepRunner {
  /** The transactional step whose COMMIT is not sent yet. */
  private open: OpenStep | undefined;
  /**
   * The step a stop request (`signal`) caught waiting to retry a lock timeout: not applied (its
   * attempt was rolled back, or, statement by statement, its progress so far is recorded). The
   * caller stops there; a rerun continues with it.
   */
  stoppedAt: string | undefined;

  constructor(
    private readonly db: pg.Client,
    private readonly settings: RunSettings,
    private readonly log: Logger,
    private readonly signal?: AbortSignal,
  ) {}

  /**
   * Runs `step`. Resolves with the results this settled, in order: the step before (committed now, or
   * failed at its COMMIT, and then `step` did not run), and `step` when it failed or ran statement by
   * statement. A transactional step that succeeded stays open until the next call or `finish()`.
   */
  async run(step: PlanStep): Promise<StepResult[]> {
    if (!step.analysis.transactional) {
      const settled = await this.finish();
      if (settled.some((r) => r.outcome === "failed")) return settled;
      const result = await this.runStatementsStep(step);
      return result ? [...settled, result] : settled;
    }
    const previous = this.open;
    this.open = undefined;
    const started = Date.now();
    const settled: StepResult[] = [];
    const previousCommitted = () => {
      if (previous) settled.push(applied(previous.step, "transaction", previous.durationMs, previous.retries, this.log));
    };
    try {
      const retries = await runInTransaction(this.db, step, this.settings, this.log, previous, previousCommitted, this.signal);
      this.open = { step, started, durationMs: Date.now() - started, retries };
      return settled;
    } catch (error) {
      if (error instanceof MigrateError) throw error;
      if (error instanceof StoppedBeforeRetry) {
        this.stoppedAt = step.name;
        return settled;
      }
      if (error instanceof StepError && error.cause instanceof PreviousCommitError && previous) {
        const result = await this.commitFailed(previous, error.cause.cause);
        return result.outcome === "failed" ? [result] : [result, ...(await this.run(step))];
      }
      // Positions count from the text sent: before the script's prefix (and before the COMMIT ahead
      // of it, when the attempt that failed, the first, carried one).
      const offset = -transactionText(step).scriptOffset - (previous && error instanceof StepError && error.retries === 0 ? COMMIT_AHEAD.length : 0);
      settled.push(await failed(this.db, step, "transaction", error, started, offset, this.log));
      return settled;
    }
  }

  /**
   * Runs a batch (plan.ts, BATCH_MAX_STEPS): its steps' texts in one query, then COMMIT. Resolves with
   * the results this settled, like run(). If anything fails (a statement, a lock timeout, the COMMIT),
   * the batch is rolled back whole and its steps run again one by one, so the failure is found,
   * retried or recorded exactly as without batching.
   */
  async runBatch(steps: PlanStep[]): Promise<StepResult[]> {
    const settled = await this.finish();
    if (settled.some((r) => r.outcome === "failed")) return settled;
    const started = Date.now();
    let durations: Map<string, number>;
    try {
      type Row = Record<string, unknown>;
      const result = (await this.db.query(steps.map((step) => transactionText(step).text).join("\n"))) as unknown as pg.QueryResult<Row>[] | pg.QueryResult<Row>;
      await this.db.query("COMMIT");
      durations = new Map(
        (Array.isArray(result) ? result : [result])
          .filter((r) => r.command === "INSERT" && r.fields.some((f) => f.name === BATCH_DURATION_COLUMN))
          .map((r): [string, number] => [String(r.rows[0]?.migrator_migration), Number(r.rows[0]?.[BATCH_DURATION_COLUMN] ?? 0)]),
      );
    } catch (error) {
      await this.db.query("ROLLBACK").catch(() => {});
      if (error instanceof MigrateError) throw error;
      const e = error as PgError;
      this.log.info(`Batch of ${steps.length} migrations (${steps[0]?.name} … ${steps.at(-1)?.name}) rolled back: ${e.message ?? String(error)}${e.code ? ` [SQLSTATE ${e.code}]` : ""}; running them one by one`, {
        event: "batch_fallback", migrations: steps.map((step) => step.name), sqlState: e.code,
      });
      const results = [...settled];
      for (const step of steps) {
        const stepResults = await this.run(unbatched(step));
        results.push(...stepResults);
        if (stepResults.some((r) => r.outcome === "failed") || this.stoppedAt) return results;
      }
      return [...results, ...(await this.finish())];
    }
    const elapsed = Date.now() - started;
    return [...settled, ...steps.map((step) => applied(step, "transaction", durations.get(step.name) ?? Math.round(elapsed / steps.length), 0, this.log))];
  }

  /** Commits the open step, if there is one. Resolves with its result (applied, or failed at COMMIT). */
  async finish(): Promise<StepResult[]> {
    const open = this.open;
    if (!open) return [];
    this.open = undefined;
    try {
      await this.db.query("COMMIT");
    } catch (error) {
      await this.db.query("ROLLBACK").catch(() => {});
      return [await this.commitFailed(open, error)];
    }
    return [applied(open.step, "transaction", open.durationMs, open.retries, this.log)];
  }

  /**
   * The COMMIT of `open` failed and its transaction is gone. A lock timeout or deadlock there (a
   * deferred constraint's check waits for locks) gets the step's retries: the step runs again, alone,
   * with its own COMMIT. Any other error fails it.
   */
  private async commitFailed(open: OpenStep, error: unknown): Promise<StepResult> {
    if (!isRetryable(error)) return failed(this.db, open.step, "transaction", error, open.started, 0, this.log);
    const { step } = open;
    this.log.warn(`${step.name}: ${(error as PgError).message} [SQLSTATE ${(error as PgError).code}] at COMMIT; running it again`, {
      event: "retry", migration: step.name, sqlState: (error as PgError).code, retry: open.retries + 1, delayMs: 0,
    });
    const started = Date.now();
    const { text, scriptOffset } = transactionText(step);
    try {
      const { retries } = await withRetries(step, this.settings, this.log, async () => {
        try {
          await this.db.query(text);
          await this.db.query("COMMIT");
        } catch (failure) {
          await this.db.query("ROLLBACK").catch(() => {});
          throw failure;
        }
      });
      return applied(step, "transaction", Date.now() - started, open.retries + 1 + retries, this.log);
    } catch (failure) {
      if (failure instanceof MigrateError) throw failure;
      return failed(this.db, step, "transaction", failure, open.started, -scriptOffset, this.log);
    }
  }

  /** Rolls back the open step, if any (a run ending on an unexpected error reports no step it did not commit). */
  async abandon(): Promise<void> {
    if (!this.open) return;
    this.open = undefined;
    await this.db.query("ROLLBACK").catch(() => {});
  }

  /** Runs a statement-by-statement step; undefined when a stop request caught it waiting to retry. */
  private async runStatementsStep(step: PlanStep): Promise<StepResult | undefined> {
    const started = Date.now();
    try {
      const retries = await runStatements(this.db, step, this.settings, this.log, this.signal);
      return applied(step, "statements", Date.now() - started, retries, this.log);
    } catch (error) {
      if (error instanceof MigrateError) throw error;
      if (error instanceof StoppedBeforeRetry) {
        this.stoppedAt = step.name;
        return undefined;
      }
      return failed(this.db, step, "statements", error, started, error instanceof StepError ? error.offset : 0, this.log);
    }
  }
}
