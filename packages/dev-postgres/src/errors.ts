// The typed errors of @repo/dev-postgres: one base class with a stable `code`, so callers (the CLI,
// other packages' scripts) can branch on the code and show the message, which names the fix.

/** Base class of every error this package throws on purpose. */
export class DevPostgresError extends Error {
  /** A stable, machine-readable identifier; messages may change, codes do not. */
  readonly code: string;

  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
    this.code = code;
  }
}

/** Why the local (persistent) or ephemeral embedded server could not be provided. */
export type LocalServerErrorCode =
  | "BINARIES_NOT_FOUND"
  | "ROOT_NOT_FOUND"
  | "INVALID_OPTION"
  | "POSTGRES_USER_MISSING"
  | "DIR_NOT_ACCESSIBLE"
  | "LOCK_TIMEOUT"
  | "CREDENTIALS_MISSING"
  | "INIT_FAILED"
  | "PORT_IN_USE"
  | "RUNNING_ON_OTHER_PORT"
  | "START_FAILED"
  | "NOT_READY"
  | "STOP_FAILED";

/** A failure to initialise, start, reach or stop an embedded PostgreSQL server. */
export class LocalServerError extends DevPostgresError {
  declare readonly code: LocalServerErrorCode;

  constructor(code: LocalServerErrorCode, message: string, options?: { cause?: unknown }) {
    super(code, message, options);
  }
}

/** Why a per-test database or a template could not be created. */
export type TestDatabaseErrorCode = "INVALID_NAME" | "INVALID_URL" | "TEMPLATE_FAILED";

/** A failure while creating, cloning or dropping a test database. */
export class TestDatabaseError extends DevPostgresError {
  declare readonly code: TestDatabaseErrorCode;

  constructor(code: TestDatabaseErrorCode, message: string, options?: { cause?: unknown }) {
    super(code, message, options);
  }
}
