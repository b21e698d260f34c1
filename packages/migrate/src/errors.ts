// Every failure the engine reports on purpose: one base class with a stable `code`, and the data a
// user needs to act. Formatting for people happens at the edge (the CLI); these carry facts.

/** Base of the engine's errors. `code` is stable: scripts and tests may match on it. */
export class MigrateError extends Error {
  override readonly name: string = "MigrateError";
  constructor(
    readonly code: string,
    message: string,
    /** What to do about it, for the reader. */
    readonly hint?: string,
  ) {
    super(message);
  }
}

/** A bad argument or configuration: the CLI exits with its usage code. */
export class UsageError extends MigrateError {
  override readonly name: string = "UsageError";
}

export class ChecksumMismatchError extends MigrateError {
  override readonly name: string = "ChecksumMismatchError";
  constructor(
    readonly migration: string,
    readonly expected: string,
    readonly actual: string,
  ) {
    super(
      "EDITED_MIGRATION",
      `Migration ${migration} was edited after it was applied: recorded checksum ${expected}, file checksum ${actual}.`,
      "Restore the file as it was applied (git log -p on its migration.sql) and put the change in a new migration.",
    );
  }
}

export class MissingLocalMigrationError extends MigrateError {
  override readonly name: string = "MissingLocalMigrationError";
  constructor(readonly migrations: string[]) {
    super(
      "MISSING_LOCAL_MIGRATION",
      `The database has migration${migrations.length > 1 ? "s" : ""} this release does not have: ${migrations.join(", ")}.`,
      "An older release is being deployed onto a newer database. Deploy the release that contains these migrations, or roll them back with that release's migrator first.",
    );
  }
}

export class FailedMigrationPresentError extends MigrateError {
  override readonly name: string = "FailedMigrationPresentError";
  constructor(readonly migrations: string[]) {
    super(
      "FAILED_MIGRATION",
      `Migration ${migrations.join(", ")} failed earlier and may be partly applied.`,
      `Check the database, then mark it: \`migrator resolve --rolled-back ${migrations[0]}\` (nothing of it remains) or \`migrator resolve --applied ${migrations[0]}\` (you finished it by hand).`,
    );
  }
}

export class NoDownScriptError extends MigrateError {
  override readonly name: string = "NoDownScriptError";
  constructor(readonly migrations: string[]) {
    super(
      "NO_DOWN_SCRIPT",
      `Cannot roll back ${migrations.join(", ")}: no down.sql beside its migration.sql. Nothing was run.`,
      "Write the down.sql (the SQL that undoes migration.sql), review it, and try again.",
    );
  }
}

export class LockTimeoutError extends MigrateError {
  override readonly name: string = "LockTimeoutError";
  constructor(readonly waitedMs: number, readonly holder: string) {
    super(
      "LOCK_TIMEOUT",
      `Another migration run holds the migration lock (${holder}); gave up after ${Math.round(waitedMs / 1000)} s.`,
      "Wait for it to finish, or raise --lock-wait. If that session is stuck, end it with pg_terminate_backend(pid).",
    );
  }
}

export class PoolerDetectedError extends MigrateError {
  override readonly name: string = "PoolerDetectedError";
  constructor(readonly detail: string) {
    super(
      "TRANSACTION_POOLER",
      `The connection goes through a transaction-mode pooler (${detail}): session locks and session settings do not hold there, so two deploys could run at once.`,
      "Point the migrator at the database directly (a direct URL, e.g. port 5432 instead of PgBouncer's 6432).",
    );
  }
}

/** A migration's SQL failed; the details say where. */
export class MigrationFailedError extends MigrateError {
  override readonly name: string = "MigrationFailedError";
  constructor(
    readonly migration: string,
    readonly direction: "up" | "down",
    readonly sqlState: string | undefined,
    readonly detail: string,
    /** True when nothing of it remains applied (it ran in one transaction). */
    readonly rolledBack: boolean,
  ) {
    super(
      "MIGRATION_FAILED",
      `Migration ${migration} (${direction}) failed${sqlState ? ` [SQLSTATE ${sqlState}]` : ""}: ${detail}`,
      rolledBack
        ? "It ran in one transaction: nothing of it was applied. Fix the file and deploy again."
        : `It ran outside a transaction and may be partly applied. Fix it, then \`migrator resolve --rolled-back ${migration}\` or \`--applied\`.`,
    );
  }
}

export class ConnectionError extends MigrateError {
  override readonly name: string = "ConnectionError";
}
