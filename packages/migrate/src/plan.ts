// What a command will do, before it does it: an ordered list of typed steps, each with the exact
// SQL it runs and how (one transaction, or statement by statement). `up`, `down` and `deploy` only
// build different plans; `plan`/`--dry-run` prints one; the runtime executes one.
import { randomUUID } from "node:crypto";
import type { DataPlanStep } from "./data/run-data-step.ts";
import type { LocalDataMigration } from "./data/folder.ts";
import type { DataRecord } from "./data/records.ts";
import { NoDownScriptError, MigrateError } from "./errors.ts";
import type { LocalMigration } from "./local/migration-folder.ts";
import { analyseScript, type ScriptAnalysis } from "./runtime/analyse.ts";
import type { AnalysisCache } from "./runtime/analysis-cache.ts";
import { quoteLiteral } from "./runtime/connection.ts";
import type { RunSettings } from "./runtime/settings.ts";
import { HISTORY_TABLE, type MigrationRecord } from "./state/history-table.ts";

export type Direction = "up" | "down";

export interface SchemaPlanStep {
  kind: "schema";
  direction: Direction;
  name: string;
  migration: LocalMigration;
  /** The record a `down` rolls back, or the interrupted attempt an `up` resumes. */
  record?: MigrationRecord | undefined;
  /** The SQL file this step runs (migration.sql for up, down.sql for down). */
  file: string;
  script: string;
  analysis: ScriptAnalysis;
  /** For an interrupted statement-by-statement run: statements already done. */
  resumeFrom: number;
  lockTimeoutMs: number;
  statementTimeoutMs: number;
  /** The id the history row will get (shown by plan, used by the runtime). */
  recordId: string;
  /**
   * Whether a transactional step's COMMIT waits for its WAL to reach the disk. Only the plan's last
   * step's does; the others commit with `synchronous_commit = off` (one disk flush per run instead of
   * one per migration: for 200 small migrations, most of a second on the benchmark machine). A server
   * crash can then lose the last few applied steps, but only whole, each with its history row, so the
   * history still says exactly what was applied and the next deploy applies them again. The last
   * step's commit flushes the WAL up to it, earlier commits included, so a run that reports success
   * is durable; a run that stops before its last step flushes first (engine.ts, flushCommits).
   */
  synchronousCommit: boolean;
  /**
   * Set when this step shares one transaction with its neighbours (see BATCH_MAX_STEPS): its place in
   * that batch. The batch's first step opens the transaction, its last one's COMMIT ends it.
   */
  batch?: { id: number; first: boolean; last: boolean; size: number; synchronousCommit: boolean } | undefined;
}

/**
 * On a database where no migration is applied yet (a new environment, CI, a test database), up to this
 * many consecutive transactional migrations are applied in one transaction, sent in one round trip:
 * nobody uses the schema yet, so the longer-held locks block no one, and the start of a database's
 * life (hundreds of small migrations) takes one round trip and one commit per batch instead of per
 * migration. Each migration keeps its own history row and timings. If any of them fails, the batch is
 * rolled back whole and its migrations run again one by one, so the failure is reported, recorded and
 * left behind exactly as without batching.
 */
export const BATCH_MAX_STEPS = 50;

export type { DataPlanStep };

/** One step: a schema migration's SQL, or a data migration's code. */
export type PlanStep = SchemaPlanStep | DataPlanStep;

export interface Plan {
  direction: Direction;
  steps: PlanStep[];
}

/** Builds the steps for `names` (in the order given). Parses every script and loads every data migration first: errors stop here. */
export async function buildPlan(options: {
  direction: Direction;
  names: string[];
  local: Map<string, LocalMigration>;
  records: Map<string, MigrationRecord>;
  settings: RunSettings;
  /** Interrupted statement-by-statement attempts to continue, by name, with the statements done. */
  resume?: Map<string, { record: MigrationRecord; done: number }>;
  data?: Map<string, LocalDataMigration>;
  /** Live data records: what a down undoes, or a stopped run an up resumes. */
  dataRecords?: Map<string, DataRecord>;
  /** For up: migration.sql analyses already under way (analyseAhead), by migration name. */
  analyses?: Map<string, Promise<ScriptAnalysis>>;
  /** Analyses kept from earlier runs; fresh ones are added to it. */
  cache?: AnalysisCache | undefined;
  /** No migration is applied yet: consecutive transactional steps go in batches (BATCH_MAX_STEPS). */
  initialDeploy?: boolean | undefined;
}): Promise<Plan> {
  const { direction, names, local, records, settings } = options;
  const data = options.data ?? new Map<string, LocalDataMigration>();
  if (direction === "down") {
    const irreversible: string[] = [];
    for (const name of names) {
      const dataMigration = data.get(name);
      if (dataMigration) {
        if (!(await dataMigration.load()).down) irreversible.push(name);
      } else if (!local.get(name)?.downSql?.trim()) irreversible.push(name);
    }
    if (irreversible.length) throw new NoDownScriptError(irreversible);
  }
  const steps: PlanStep[] = [];
  for (const name of names) {
    const dataMigration = data.get(name);
    if (dataMigration) {
      const definition = await dataMigration.load();
      if ((definition.anchor ?? null) !== dataMigration.anchor) {
        throw new MigrateError("DATA_MIGRATION_INVALID", `${dataMigration.file}: the anchor read from the source (${dataMigration.anchor}) differs from the module's (${definition.anchor}).`, "Write the anchor as a plain string literal.");
      }
      steps.push({ kind: "data", direction, name, local: dataMigration, definition, record: options.dataRecords?.get(name), transactional: definition.transaction !== false });
      continue;
    }
    const migration = local.get(name);
    if (!migration) throw new MigrateError("MIGRATION_NOT_FOUND", `Migration ${name} is not in the migrations folder.`);
    const script = direction === "up" ? migration.upSql : (migration.downSql ?? "");
    const file = direction === "up" ? "migration.sql" : "down.sql";
    const analysis = await ((direction === "up" && options.analyses?.get(name)) || analyseScript(script, `${name}/${file}`, options.cache));
    const resume = direction === "up" ? options.resume?.get(name) : undefined;
    steps.push({
      kind: "schema",
      direction,
      name,
      migration,
      record: direction === "down" ? records.get(name) : resume?.record,
      file,
      script,
      analysis,
      resumeFrom: resume?.done ?? 0,
      lockTimeoutMs: analysis.directives.lockTimeoutMs ?? settings.lockTimeoutMs,
      statementTimeoutMs: analysis.directives.statementTimeoutMs ?? settings.statementTimeoutMs,
      recordId: resume?.record.id ?? randomUUID(),
      synchronousCommit: true,
    });
  }
  for (const step of steps.slice(0, -1)) if (step.kind === "schema") step.synchronousCommit = false;
  if (direction === "up" && options.initialDeploy) assignBatches(steps);
  return { direction, steps };
}

/** Groups runs of consecutive transactional schema steps into batches of 2..BATCH_MAX_STEPS. */
function assignBatches(steps: PlanStep[]): void {
  let id = 0;
  let run: SchemaPlanStep[] = [];
  const close = () => {
    for (let from = 0; from < run.length; from += BATCH_MAX_STEPS) {
      const batch = run.slice(from, from + BATCH_MAX_STEPS);
      if (batch.length < 2) continue;
      id += 1;
      const synchronousCommit = (batch.at(-1) as SchemaPlanStep).synchronousCommit;
      batch.forEach((step, i) => (step.batch = { id, first: i === 0, last: i === batch.length - 1, size: batch.length, synchronousCommit }));
    }
    run = [];
  };
  for (const step of steps) {
    if (step.kind === "schema" && step.analysis.transactional && step.resumeFrom === 0) {
      run.push(step);
      // A new enum value cannot be used before its transaction commits: the next migration, which
      // may use it, starts a new batch.
      if (step.analysis.classes.some((c) => c.kind === "AlterEnumStmt")) close();
    } else close();
  }
  close();
}

/** The step as it runs on its own, outside any batch (a batch that failed runs its steps this way). */
export const unbatched = (step: SchemaPlanStep): SchemaPlanStep => ({ ...step, batch: undefined });

/** The custom setting a batched step's start time goes through (its transaction started earlier). */
const STEP_STARTED = "migrator.step_started";

/** Names the per-step duration a batched step's bookkeeping returns. */
export const BATCH_DURATION_COLUMN = "migrator_duration_ms";

const ms = (value: number) => `'${value}ms'`;

/** The bookkeeping statement that records a step, as the runtime runs it. */
export function bookkeepingSql(step: SchemaPlanStep, statementsDone: number): string {
  if (step.direction === "down") {
    return `UPDATE "${HISTORY_TABLE}" SET rolled_back_at = clock_timestamp() WHERE id = ${quoteLiteral(step.record?.id ?? "")};`;
  }
  // In a batch the transaction began before this step: its start was noted in STEP_STARTED.
  const startedAt = step.batch ? `current_setting('${STEP_STARTED}')::timestamptz` : "now()";
  const returning = step.batch ? ` RETURNING migration_name AS migrator_migration, round(extract(epoch FROM finished_at - started_at) * 1000)::int AS ${BATCH_DURATION_COLUMN}` : "";
  return `INSERT INTO "${HISTORY_TABLE}" (id, checksum, finished_at, migration_name, logs, rolled_back_at, started_at, applied_steps_count) VALUES (${quoteLiteral(step.recordId)}, ${quoteLiteral(step.migration.checksum)}, clock_timestamp(), ${quoteLiteral(step.name)}, NULL, NULL, ${startedAt}, ${statementsDone})${returning};`;
}

/**
 * A transactional step as the runtime sends it: one simple query (one round trip) holding the
 * transaction, its timeouts, the script as written and its bookkeeping. `scriptOffset` is where the
 * script starts in `text`, to map a server error position back to the file.
 */
export function transactionText(step: SchemaPlanStep): { text: string; scriptOffset: number } {
  const { batch } = step;
  const prefix = [
    ...(!batch || batch.first ? ["BEGIN;"] : []),
    `SET LOCAL lock_timeout = ${ms(step.lockTimeoutMs)};`,
    `SET LOCAL statement_timeout = ${ms(step.statementTimeoutMs)};`,
    // A batch's commit is synchronous when its last step's is (the plan's last step).
    ...((batch ? batch.first && !batch.synchronousCommit : !step.synchronousCommit) ? ["SET LOCAL synchronous_commit = off;"] : []),
    ...(batch ? [`SELECT set_config('${STEP_STARTED}', clock_timestamp()::text, true);`] : []),
    "",
  ].join("\n");
  // A newline before the bookkeeping: the script may end in a line comment or without a semicolon.
  // The COMMIT is not in the text: the runtime sends it only once this text has succeeded (at the head
  // of the next step's query, or alone). A session whose client was killed mid-script must not commit
  // by itself, or a rerun already waiting behind it would apply the migration a second time.
  return { text: `${prefix}${step.script.trimEnd()}\n;\n${bookkeepingSql(step, 1)}`, scriptOffset: prefix.length };
}

/** The SQL the runtime sends for one step, in order, as `plan` prints it (Alembic's offline mode). */
export function renderStep(step: PlanStep): string {
  if (step.kind === "data") {
    const how = step.transactional ? "in one transaction with its record" : "outside a transaction, committing batch by batch (resumable)";
    const resumed = step.record && step.direction === "up" ? `; resumes after ${step.record.rowsDone} rows already done` : "";
    return `-- ${step.name} (data migration, ${step.direction}, ${how}${resumed}): runs ${step.direction}() from ${step.local.file}`;
  }
  const how = step.batch
    ? `batch ${step.batch.id}, ${step.batch.size} migrations in one transaction on this new database; if one fails, all run again one by one`
    : step.analysis.transactional
      ? "one transaction"
      : "statement by statement, outside a transaction";
  const header = `-- ${step.name} (${step.direction}, ${how}) from ${step.file}`;
  if (step.batch) return `${header}\n${transactionText(step).text}${step.batch.last ? "\nCOMMIT;" : ""}`;
  if (step.analysis.transactional) return `${header}\n${transactionText(step).text}\nCOMMIT;`;
  const statements = step.analysis.statements.slice(step.resumeFrom).map((statement) => `${statement.sql};`);
  return [
    header,
    ...(step.resumeFrom ? [`-- continuing after statement ${step.resumeFrom} of ${step.analysis.statements.length} (an earlier run was interrupted)`] : []),
    `SET lock_timeout = ${ms(step.lockTimeoutMs)};`,
    `SET statement_timeout = ${ms(step.statementTimeoutMs)};`,
    ...statements,
    step.direction === "up"
      ? `UPDATE "${HISTORY_TABLE}" SET finished_at = clock_timestamp(), applied_steps_count = ${step.analysis.statements.length}, logs = NULL WHERE id = ${quoteLiteral(step.recordId)};`
      : bookkeepingSql(step, 0),
  ].join("\n");
}
