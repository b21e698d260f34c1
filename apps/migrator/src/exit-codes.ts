// The migrator's exit codes: documented in README.md, stable for pipelines and Kubernetes.
import { BackupError, ConnectionError, InterruptedError, LockTimeoutError, MigrateError, MigrationFailedError, UsageError } from "@repo/migrate";

export const ExitCode = {
  /** Done; or `status --check` found the database at head. */
  ok: 0,
  /** A migration's SQL failed (see the output for what remains applied). */
  migrationFailed: 1,
  /** `lint`: at least one finding of severity error (warnings alone exit 0). */
  lintErrors: 1,
  /** Bad arguments or configuration: nothing was run. */
  usage: 2,
  /** `status --check`: something is pending, failed, edited or missing. */
  notAtHead: 3,
  /** Refused before running anything: edited or missing migrations, an unresolved failure, no down.sql, a pooler, bad SQL. */
  refused: 4,
  /** The database could not be reached or used, or the migration lock stayed taken past --lock-wait. */
  unavailable: 5,
  /** --backup: the backup could not be taken (no pg_dump, one too old, folder not writable, pg_dump failed): nothing was run. */
  backupFailed: 6,
  /** Stopped by SIGTERM/SIGINT after the current step or batch: everything committed stays; rerun to continue. */
  interruptedResumable: 75,
  /** Killed by a second SIGTERM/SIGINT before it could stop cleanly. */
  interrupted: 130,
} as const;

/** The exit code for an error that ended a command. */
export function exitCodeFor(error: unknown): number {
  if (error instanceof InterruptedError) return ExitCode.interruptedResumable;
  // A URL that is not PostgreSQL's is configuration, not an outage: retrying cannot help.
  if (error instanceof UsageError || (error instanceof ConnectionError && error.code === "INVALID_URL")) return ExitCode.usage;
  if (error instanceof MigrationFailedError) return ExitCode.migrationFailed;
  if (error instanceof BackupError) return ExitCode.backupFailed;
  if (error instanceof ConnectionError || error instanceof LockTimeoutError) return ExitCode.unavailable;
  if (error instanceof MigrateError) return ExitCode.refused;
  return ExitCode.migrationFailed;
}
