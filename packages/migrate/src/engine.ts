// The engine's commands as functions returning values: status, history, plan, up, down, deploy,
// resolve. The CLI, the API's readiness check and the tests all call these; nothing here prints.
import type pg from "pg";
import { takeBackup, type BackupOptions, type BackupResult } from "./backup/take-backup.ts";
import { ChecksumMismatchError, FailedMigrationPresentError, MigrateError, MissingLocalMigrationError, UsageError } from "./errors.ts";
import { readDataMigrations, type LocalDataMigration } from "./data/folder.ts";
import { CREATE_DATA_TABLE, DATA_TABLE, liveDataRecords } from "./data/records.ts";
import { runDataStep } from "./data/run-data-step.ts";
import { InterruptedError } from "./data/batch.ts";
import { readLocalMigrationsSync, type LocalMigration } from "./local/migration-folder.ts";
import { buildPlan, type Direction, type Plan, type PlanStep, type SchemaPlanStep } from "./plan.ts";
import { openConnection, quoteIdent, schemaOf } from "./runtime/connection.ts";
import { analyseAhead, type ScriptAnalysis } from "./runtime/analyse.ts";
import { AnalysisCache, type AnalysisCacheOptions } from "./runtime/analysis-cache.ts";
import { acquireMigrationLock } from "./runtime/lock.ts";
import { silentLogger, type Logger } from "./runtime/logger.ts";
import { flushCommits, IN_PROGRESS_MARK, StepRunner, TRANSACTION_FAILED_MARK, type StepResult } from "./runtime/run-step.ts";
import { DEFAULT_SETTINGS, type RunSettings } from "./runtime/settings.ts";
import { loadParser } from "./sql/index.ts";
import { CREATE_HISTORY_TABLE, HISTORY_TABLE, recordApplied, recordRolledBack, type MigrationRecord } from "./state/history-table.ts";
import { readRecords } from "./state/read-records.ts";
import { computeStatus, type Status } from "./state/status.ts";
import { parseTarget, resolveDown, resolveUp } from "./target.ts";

export interface EngineOptions {
  /** PostgreSQL URL (Prisma's form: `?schema=` selects the schema). */
  url: string;
  /** The Prisma migrations folder. */
  migrationsDir: string;
  settings?: Partial<RunSettings> | undefined;
  log?: Logger | undefined;
  /** application_name of the engine's connections (default "migrator"). */
  applicationName?: string | undefined;
  /** The data-migrations folder; without it only schema migrations are considered. */
  dataMigrationsDir?: string | undefined;
  /** Creates the client data migrations get as `ctx.client` (the Prisma client), once per run. */
  dataClient?: ((url: string) => Promise<{ client: unknown; close(): Promise<void> }>) | undefined;
  /** Aborting it stops a batched data migration after its current batch (SIGTERM). */
  signal?: AbortSignal | undefined;
  /** up/down: a pg_dump into this folder, under the lock, before the first step, when there is one. */
  backup?: BackupOptions | undefined;
  /**
   * Where script analyses are kept between runs (runtime/analysis-cache.ts): a run whose scripts were
   * all analysed before does not load or run the SQL parser. Without it every run parses.
   */
  analysisCache?: AnalysisCacheOptions | undefined;
}

export interface RunResult {
  /** What was planned (all steps), in order. */
  plan: Plan;
  /** What ran: applied steps, then at most one failed step. */
  steps: StepResult[];
  /** Whether every planned step was applied. */
  ok: boolean;
  /** Earlier failed attempts this run cleared (transactional failures, which left nothing behind). */
  cleared: string[];
  /** The dump taken before the first step (with `backup`, when something was to run). */
  backup?: BackupResult | undefined;
}

const settingsOf = (options: EngineOptions): RunSettings => ({
  ...DEFAULT_SETTINGS,
  ...options.settings,
  retry: { ...DEFAULT_SETTINGS.retry, ...options.settings?.retry },
});

async function withConnection<T>(options: EngineOptions, work: (db: pg.Client) => Promise<T>): Promise<T> {
  const db = await openConnection({ url: options.url, applicationName: options.applicationName });
  try {
    return await work(db);
  } finally {
    await db.end().catch(() => {});
  }
}

/**
 * Opens the engine's connection and reads the migrations folder meanwhile (the server starts the
 * session while the files are read). A connection failure wins over a folder error, as when the
 * two happened one after the other.
 */
async function connectAndReadFolder(options: EngineOptions): Promise<{ db: pg.Client; local: LocalMigration[] }> {
  const connecting = openConnection({ url: options.url, applicationName: options.applicationName });
  let local: LocalMigration[];
  try {
    local = readLocalMigrationsSync(options.migrationsDir);
  } catch (error) {
    await (await connecting).end().catch(() => {});
    throw error;
  }
  return { db: await connecting, local };
}

/** Both sides of a status. `local`: the migrations folder, when the caller has read it already. */
async function readState(db: pg.Client, options: EngineOptions, local?: LocalMigration[]) {
  // The query goes out first; the folders are read while the server answers it.
  const reading = readRecords(db, !!options.dataMigrationsDir);
  reading.catch(() => {}); // awaited below; a folder error must not leave it unhandled
  const dataLoading = options.dataMigrationsDir ? readDataMigrations(options.dataMigrationsDir) : Promise.resolve([] as LocalDataMigration[]);
  dataLoading.catch(() => {});
  local ??= readLocalMigrationsSync(options.migrationsDir);
  const [{ history, dataRecords, tablesExist }, dataLocal] = await Promise.all([reading, dataLoading]);
  return { local, history, dataLocal, dataRecords, tablesExist, status: computeStatus(local, history, dataLocal, dataRecords) };
}

/** Each migration's state (applied, pending, failed, edited, missing). Takes no lock, changes nothing. */
export async function getStatus(options: EngineOptions): Promise<Status> {
  return withConnection(options, async (db) => (await readState(db, options)).status);
}

export interface HistoryEntry {
  name: string;
  kind: "schema" | "data";
  /** What happened to this attempt. */
  outcome: "applied" | "rolled back" | "failed" | "running";
  startedAt: Date;
  finishedAt: Date | null;
  rolledBackAt: Date | null;
  durationMs: number | null;
  /** The failure, for a failed attempt. */
  logs: string | null;
}

/** Every recorded attempt of both kinds, oldest first: applied, rolled back (by `down` or resolve), failed, running. */
export async function getHistory(options: EngineOptions): Promise<HistoryEntry[]> {
  return withConnection(options, async (db) => {
    const { history, dataRecords } = await readRecords(db, true);
    const schema: HistoryEntry[] = history.map((record) => ({
      name: record.name,
      kind: "schema",
      outcome: record.rolledBackAt ? "rolled back" : record.finishedAt ? "applied" : record.logs?.startsWith(IN_PROGRESS_MARK) ? "running" : "failed",
      startedAt: record.startedAt,
      finishedAt: record.finishedAt,
      rolledBackAt: record.rolledBackAt,
      durationMs: record.finishedAt ? record.finishedAt.getTime() - record.startedAt.getTime() : null,
      logs: record.finishedAt ? null : record.logs,
    }));
    const data: HistoryEntry[] = dataRecords.map((record) => ({
      name: record.name,
      kind: "data",
      outcome: record.rolledBackAt ? "rolled back" : record.status === "applied" ? "applied" : record.status === "failed" ? "failed" : "running",
      startedAt: record.startedAt,
      finishedAt: record.finishedAt,
      rolledBackAt: record.rolledBackAt,
      durationMs: record.finishedAt ? record.finishedAt.getTime() - record.startedAt.getTime() : null,
      logs: record.lastError,
    }));
    return [...schema, ...data].sort((a, b) => a.startedAt.getTime() - b.startedAt.getTime());
  });
}

interface Preflight {
  names: string[];
  plan: Plan;
  /** Failed transactional attempts to mark rolled back before running (nothing of them was applied). */
  clear: MigrationRecord[];
}

/**
 * Decides what a run will do, refusing before anything runs when the history cannot be trusted:
 * an edited applied migration, a migration missing locally, an unresolved failure.
 */
async function preflight(
  db: pg.Client,
  options: EngineOptions,
  direction: Direction,
  targetText: string,
  folder?: LocalMigration[],
  analyses?: Map<string, Promise<ScriptAnalysis>>,
  cache?: AnalysisCache,
): Promise<Preflight> {
  const target = parseTarget(targetText);
  const { local, history, dataLocal, dataRecords, status } = await readState(db, options, folder);
  const edited = status.migrations.find((m) => m.state === "edited");
  if (edited?.record && edited.local) throw new ChecksumMismatchError(edited.name, edited.record.checksum, edited.local.checksum);
  const editedData = status.data.find((d) => d.state === "edited");
  if (editedData?.record && editedData.local) throw new ChecksumMismatchError(editedData.name, editedData.record.checksum, editedData.local.checksum);
  if (status.missing.length) throw new MissingLocalMigrationError(status.missing);

  const clear: MigrationRecord[] = [];
  const resume = new Map<string, { record: MigrationRecord; done: number }>();
  const blocking: string[] = [];
  for (const migration of status.migrations.filter((m) => m.state === "failed" || m.state === "interrupted")) {
    const record = migration.record as MigrationRecord;
    if (direction === "up" && record.logs?.startsWith(TRANSACTION_FAILED_MARK)) clear.push(record);
    else if (direction === "up" && record.logs?.startsWith(IN_PROGRESS_MARK) && migration.local?.checksum === record.checksum) {
      resume.set(migration.name, { record, done: record.appliedStepsCount });
    } else blocking.push(migration.name);
  }
  if (blocking.length) throw new FailedMigrationPresentError(blocking);

  // Data migrations that failed or stopped run again on up: a transactional one left nothing behind,
  // a batched one resumes after its last committed batch.
  const liveData = liveDataRecords(dataRecords);
  const rerunData = new Set(status.data.filter((d) => d.state === "failed" || d.state === "running" || d.state === "interrupted").map((d) => d.name));
  const all = status.timeline.map((entry) => entry.name);
  const pending = status.timeline
    .filter((e) => e.state === "pending" || clear.some((r) => r.name === e.name) || resume.has(e.name) || (e.kind === "data" && rerunData.has(e.name)))
    .map((e) => e.name);
  const names = direction === "up" ? resolveUp(target, pending, all) : resolveDown(target, status.applied, all);
  const records = new Map(history.filter((r) => r.finishedAt && !r.rolledBackAt).map((r) => [r.name, r]));
  // up: the stopped or failed run to resume (a transactional one ignores it and starts over); down: the applied run to undo.
  const dataForSteps = new Map([...liveData].filter(([name, record]) => (direction === "up" ? rerunData.has(name) : record.status === "applied")));
  const plan = await buildPlan({
    direction,
    names,
    local: new Map(local.map((m): [string, LocalMigration] => [m.name, m])),
    records,
    settings: settingsOf(options),
    resume,
    data: new Map(dataLocal.map((d): [string, LocalDataMigration] => [d.name, d])),
    dataRecords: dataForSteps,
    analyses,
    cache,
    // Nothing applied yet: a new database, where batching blocks no one (plan.ts, BATCH_MAX_STEPS).
    initialDeploy: direction === "up" && !history.some((r) => r.finishedAt && !r.rolledBackAt),
  });
  return { names, plan, clear };
}

/** The plan for `up <target>` or `down <target>`, without running it (Alembic's offline mode). */
export async function plan(options: EngineOptions, direction: Direction, target = direction === "up" ? "head" : "-1"): Promise<Plan> {
  const cache = openAnalysisCache(options);
  const planned = await withConnection(options, async (db) => (await preflight(db, options, direction, target, undefined, undefined, cache)).plan);
  await saveAnalysisCache(cache, options.log ?? silentLogger);
  return planned;
}

function openAnalysisCache(options: EngineOptions): AnalysisCache | undefined {
  return options.analysisCache && (options.analysisCache.dir || options.analysisCache.shipped) ? new AnalysisCache(options.analysisCache) : undefined;
}

/** Reports what the cache spared, then writes what this run analysed (never fails the run). */
async function saveAnalysisCache(cache: AnalysisCache | undefined, log: Logger): Promise<void> {
  if (!cache) return;
  const { hits, parsed, sources, problems } = cache.stats;
  const unsaved = await cache.save();
  log.debug(`Script analyses: ${hits} from the cache, ${parsed} parsed${unsaved ? ` (not saved: ${unsaved})` : ""}`, {
    event: "analysis_cache", hits, parsed, sources, problems: unsaved ? [...problems, unsaved] : problems,
  });
}

/** Runs `work` while holding the migration lock, taken on a session of its own. */
async function withLock<T>(options: EngineOptions, work: () => Promise<T>): Promise<T> {
  const log = options.log ?? silentLogger;
  // A session of its own, so a migration's failure or timeout cannot release the lock.
  const lockConnection = await openConnection({ url: options.url, applicationName: `${options.applicationName ?? "migrator"} (lock)` });
  try {
    const release = await acquireMigrationLock(lockConnection, { waitMs: settingsOf(options).lockWaitMs, log });
    try {
      return await work();
    } finally {
      await release();
    }
  } finally {
    await lockConnection.end().catch(() => {});
  }
}

/** Creates the schema, the history table and (with data migrations) the data table, where missing. */
async function createTables(db: pg.Client, options: EngineOptions): Promise<void> {
  // CREATE … IF NOT EXISTS checks the CREATE privilege even when the object exists: create only
  // what is missing, so a deploy role without CREATE on the database or schema can still run.
  const schema = schemaOf(options.url);
  const { rows } = await db.query<{ schema: boolean; history: boolean; data: boolean }>(
    "SELECT EXISTS (SELECT 1 FROM pg_namespace WHERE nspname = $1) AS schema, to_regclass($2) IS NOT NULL AS history, to_regclass($3) IS NOT NULL AS data",
    [schema, `"${HISTORY_TABLE}"`, `"${DATA_TABLE}"`],
  );
  const exists = rows[0];
  const missing = [
    ...(exists?.schema ? [] : [`CREATE SCHEMA IF NOT EXISTS ${quoteIdent(schema)}`]),
    ...(exists?.history ? [] : [CREATE_HISTORY_TABLE]),
    ...(options.dataMigrationsDir && !exists?.data ? [CREATE_DATA_TABLE] : []),
  ];
  // One round trip and one transaction; its commit need not wait for the disk: the run's last step
  // flushes it (plan.ts), and tables lost to a crash before that are created again by the next run.
  if (!missing.length) return;
  try {
    await db.query(["BEGIN", "SET LOCAL synchronous_commit = off", ...missing, "COMMIT"].join(";\n"));
  } catch (error) {
    await db.query("ROLLBACK").catch(() => {});
    throw error;
  }
}

async function run(options: EngineOptions, direction: Direction, target: string): Promise<RunResult> {
  const log = options.log ?? silentLogger;
  const settings = settingsOf(options);
  // One migration connection for the whole run: the first read and, when there is work, the locked
  // part (the lock itself is held on a session of its own).
  const { db, local } = await connectAndReadFolder(options);
  try {
    let tablesExist = false;
    let analyses: Map<string, Promise<ScriptAnalysis>> | undefined;
    let cache: AnalysisCache | undefined;
    if (direction === "up" && target === "head") {
      // The common release case, nothing to do: answer from one read, without the lock's session.
      // Anything else (pending, failed, edited, missing) takes the locked path below.
      const state = await readState(db, options, local);
      if (state.status.atHead) {
        if (options.backup) log.info("Nothing pending: no backup taken", { event: "backup_skipped", reason: "nothing pending" });
        return { plan: { direction, steps: [] }, steps: [], ok: true, cleared: [] };
      }
      tablesExist = state.tablesExist;
      // Parse what is pending while the lock is taken and the history read again; the plan is still
      // made from that second read, and waits for every file to parse before anything runs.
      const pending = new Set(state.status.pending);
      cache = openAnalysisCache(options);
      analyses = analyseAhead(local.filter((m) => pending.has(m.name)).map((m) => ({ name: m.name, script: m.upSql, file: `${m.name}/migration.sql` })), cache);
    } else {
      cache = openAnalysisCache(options);
      // There is work: compile the parser while the lock is taken. (A failure to load it is reported
      // by buildPlan, which waits for the same load.)
      loadParser().catch(() => {});
    }
    return await withLock(options, async () => {
      // The tables never disappear once created, so a first read that found them spares the check.
      if (direction === "up" && !tablesExist) await createTables(db, options);
      const { plan: planned, clear } = await preflight(db, options, direction, target, local, analyses, cache);
      // Written while the steps run (the process mostly waits for the server then).
      const cacheSaved = saveAnalysisCache(cache, log);
      // The backup, under the lock and before anything changes (a BackupError refuses the run).
      let backup: BackupResult | undefined;
      const finalStep = planned.steps.at(-1);
      if (options.backup && finalStep) backup = await takeBackup(db, { url: options.url, backup: options.backup, direction, target: finalStep.name, log, signal: options.signal, lockWaitMs: settings.lockWaitMs });
      else if (options.backup) log.info(`Nothing to ${direction === "up" ? "apply" : "roll back"}: no backup taken`, { event: "backup_skipped", reason: "nothing pending" });
      if (clear.length) {
        await recordRolledBack(db, clear.map((r) => r.id));
        log.info(`Retrying ${clear.map((r) => r.name).join(", ")}: failed earlier in a transaction, nothing of it was applied`, { event: "cleared_failure" });
      }
      const steps: StepResult[] = [];
      const runner = new StepRunner(db, settings, log, options.signal);
      const settle = (results: StepResult[]) => {
        steps.push(...results);
        return results.every((r) => r.outcome === "applied");
      };
      let dataClient: { client: unknown; close(): Promise<void> } | undefined;
      try {
        for (let index = 0; index < planned.steps.length; index++) {
          const step = planned.steps[index] as PlanStep;
          // A stop request (SIGTERM) lets the current step (or batch) finish (commit), then starts nothing new.
          if (options.signal?.aborted) {
            if (!settle(await runner.finish())) break;
            throw new InterruptedError(step.name);
          }
          if (step.kind === "schema" && step.batch?.first) {
            const batch = planned.steps.slice(index, index + step.batch.size) as SchemaPlanStep[];
            index += batch.length - 1;
            if (!settle(await runner.runBatch(batch))) break;
            if (runner.stoppedAt) throw new InterruptedError(runner.stoppedAt);
            continue;
          }
          if (step.kind === "schema") {
            if (!settle(await runner.run(step))) break;
            // A stop request caught this step waiting to retry a lock timeout: it is not applied.
            if (runner.stoppedAt) throw new InterruptedError(runner.stoppedAt);
            continue;
          }
          if (!settle(await runner.finish())) break;
          dataClient ??= options.dataClient ? await options.dataClient(options.url) : { client: undefined, close: async () => {} };
          const openWatcher = () => openConnection({ url: options.url, applicationName: `${options.applicationName ?? "migrator"} (batch watch)` });
          if (!settle([await runDataStep(step, { db, client: dataClient.client, log, signal: options.signal ?? new AbortController().signal, statementTimeoutMs: settings.statementTimeoutMs, openWatcher })])) break;
        }
        settle(await runner.finish());
      } finally {
        await runner.abandon();
        // Steps before the plan's last commit without waiting for their WAL flush (plan.ts); a run
        // that stops before that last step makes what it applied durable before it reports it.
        const applied = steps.filter((s) => s.outcome === "applied").length;
        const last = applied ? planned.steps[applied - 1] : undefined;
        if (last?.kind === "schema" && last.analysis.transactional && !last.synchronousCommit) await flushCommits(db).catch(() => {});
        await dataClient?.close();
        await cacheSaved;
      }
      return { plan: planned, steps, ok: steps.every((s) => s.outcome === "applied") && steps.length === planned.steps.length, cleared: clear.map((r) => r.name), ...(backup ? { backup } : {}) };
    });
  } finally {
    await db.end().catch(() => {});
  }
}

/** Applies pending migrations up to `target` (`head`, `+N`, a name), under the migration lock. */
export function up(options: EngineOptions, target = "head"): Promise<RunResult> {
  return run(options, "up", target);
}

/** Rolls back applied migrations down to `target` (`-N`, `base`, a name) with their down.sql, under the lock. */
export function down(options: EngineOptions, target = "-1"): Promise<RunResult> {
  return run(options, "down", target);
}

/** `up head`: what a release runs. */
export function deploy(options: EngineOptions): Promise<RunResult> {
  return run(options, "up", "head");
}

/**
 * Marks a failed migration as rolled back (nothing of it remains, so deploy will run it again) or
 * as applied (you finished it by hand), as `prisma migrate resolve` does.
 */
export async function resolve(options: EngineOptions, name: string, as: "applied" | "rolled-back"): Promise<void> {
  const log = options.log ?? silentLogger;
  await withConnection(options, (db) => withLock(options, async () => {
    const { local, status } = await readState(db, options);
    const migration = status.migrations.find((m) => m.name === name);
    if (!migration) throw new UsageError("UNKNOWN_TARGET", `No migration is named "${name}".`);
    if (migration.state !== "failed" && migration.state !== "interrupted" && !(as === "applied" && migration.state === "pending")) {
      throw new MigrateError("NOT_FAILED", `Migration ${name} is ${migration.state}, not failed: there is nothing to resolve.`, as === "rolled-back" ? "To undo an applied migration, use `migrator down`." : undefined);
    }
    await db.query("BEGIN");
    try {
      if (migration.record) await recordRolledBack(db, [migration.record.id]);
      if (as === "applied") {
        const file = local.find((m) => m.name === name);
        if (!file) throw new MigrateError("MIGRATION_NOT_FOUND", `Migration ${name} is not in the migrations folder.`);
        await recordApplied(db, name, file.checksum);
      }
      await db.query("COMMIT");
    } catch (error) {
      await db.query("ROLLBACK").catch(() => {});
      throw error;
    }
    log.info(`Marked ${name} as ${as}`, { event: "resolved", migration: name, as });
  }));
}
