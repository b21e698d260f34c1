// The migrator's exit codes: documented in README.md, stable for pipelines and Kubernetes.
import { ConnectionError, LockTimeoutError, MigrateError, MigrationFailedError, UsageError } from "@repo/migrate";

export const ExitCode = {
  /** Done; or `status --check` found the database at head. */
  ok: 0,
  /** A migration's SQL failed (see the output for what remains applied). */
  migrationFailed: 1,
  /** Bad arguments or configuration: nothing was run. */
  usage: 2,
  /** `status --check`: something is pending, failed, edited or missing. */
  notAtHead: 3,
  /** Refused before running anything: edited or missing migrations, an unresolved failure, no down.sql, a pooler, bad SQL. */
  refused: 4,
  /** The database could not be reached or used, or the migration lock stayed taken past --lock-wait. */
  unavailable: 5,
  /** Interrupted by SIGINT or SIGTERM. */
  interrupted: 130,
} as const;

/** The exit code for an error that ended a command. */
export function exitCodeFor(error: unknown): number {
  if (error instanceof UsageError) return ExitCode.usage;
  if (error instanceof MigrationFailedError) return ExitCode.migrationFailed;
  if (error instanceof ConnectionError || error instanceof LockTimeoutError) return ExitCode.unavailable;
  if (error instanceof MigrateError) return ExitCode.refused;
  return ExitCode.migrationFailed;
}
