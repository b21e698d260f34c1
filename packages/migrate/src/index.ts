// @repo/migrate: the migration engine as a library. Which migrations (the folder, targets), what to
// do (plans), how (lock, apply, record, roll back). Returns values; never prints or exits.
export { deploy, down, getHistory, getStatus, plan, resolve, up, type EngineOptions, type HistoryEntry, type RunResult } from "./engine.ts";
export * from "./errors.ts";
export { checksumOf, matchesChecksum } from "./local/checksum.ts";
export { readLocalMigrations, type LocalMigration } from "./local/migration-folder.ts";
export { BATCH_MAX_STEPS, renderStep, type Direction, type Plan, type PlanStep } from "./plan.ts";
export { MIGRATION_LOCK_KEY } from "./runtime/lock.ts";
export { silentLogger, type Logger } from "./runtime/logger.ts";
export { dynamicImport, IMPORT_HOOK } from "./runtime/dynamic-import.ts";
export { AnalysisCache, ANALYSIS_CACHE_FILE, ANALYSIS_VERSION, type AnalysisCacheOptions } from "./runtime/analysis-cache.ts";
export { analyseScript, type ScriptAnalysis } from "./runtime/analyse.ts";
export type { StepResult } from "./runtime/run-step.ts";
export { DEFAULT_SETTINGS, type RunSettings } from "./runtime/settings.ts";
export { CREATE_HISTORY_TABLE, HISTORY_TABLE, type MigrationRecord } from "./state/history-table.ts";
export type { DataMigrationState, DataMigrationStatus, MigrationState, MigrationStatus, Status, TimelineEntry } from "./state/status.ts";
export { findMigration, parseTarget, type Target } from "./target.ts";
export { InterruptedError } from "./data/batch.ts";
export { BackupError, type BackupErrorCode } from "./backup/errors.ts";
export type { BackupOptions, BackupResult } from "./backup/take-backup.ts";
export { defineDataMigration, type BatchOptions, type BatchResult, type DataMigration, type DataMigrationContext, type KeyRange, type SqlHandle } from "./data/define.ts";
export { readDataMigrations, type DataMigrationManifest, type LocalDataMigration } from "./data/folder.ts";
export { CREATE_DATA_TABLE, DATA_TABLE, type DataRecord } from "./data/records.ts";
export { DataMigrationFailedError } from "./data/run-data-step.ts";
export { scaffoldDataMigration } from "./data/scaffold.ts";
// The linter is its own entry (`@repo/migrate/lint`): the deploy path does not load it.
export type { Finding, LintOptions, LintResult, LintSelection, RuleInfo, Severity } from "./lint/index.ts";
