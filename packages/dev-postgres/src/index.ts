// @repo/dev-postgres: the PostgreSQL that development and tests use (DATABASE_URL when set,
// otherwise an embedded server), plus per-test databases. This file only re-exports.

export { redactUrl } from "@repo/redact";
export { DevPostgresError, LocalServerError, TestDatabaseError } from "./errors.ts";
export type { LocalServerErrorCode, TestDatabaseErrorCode } from "./errors.ts";
export { DEFAULT_DATABASE, DEFAULT_PORT } from "./local-settings.ts";
export type { LocalServerOptions } from "./local-settings.ts";
export { ensureLocalServer, localServerStatus, stopLocalServer } from "./local-server.ts";
export type { LocalServer, LocalServerStatus } from "./local-server.ts";
export { resolveDatabaseUrl } from "./resolve-database-url.ts";
export type { ResolveDatabaseUrlOptions, ResolvedDatabaseUrl } from "./resolve-database-url.ts";
export { startEphemeralServer } from "./ephemeral-server.ts";
export type { EphemeralServer } from "./ephemeral-server.ts";
export { createTemplateDatabase, createTestDatabase, dropTemplateDatabase, testServerUrl } from "./test-database.ts";
export type { CreateTestDatabaseOptions, TestDatabase } from "./test-database.ts";
export { sqlOn } from "./sql-on.ts";
export { startScratchLocalServer } from "./scratch-local-server.ts";
export type { ScratchLocalServer } from "./scratch-local-server.ts";
export { freePort } from "./free-port.ts";
