// Rewrites the wasm engine's generic errors into the user-facing ones the native engine reports.
// The wasm build loses the database error's code when a migration script fails ("external connector
// error"); Prisma users and tools expect P3018 with the SQLSTATE, as the native engine gives.
import { takeLastConnectionFailure } from "./pg-adapter/connection.ts";
import { takeLastServerError, type ServerErrorRecord } from "./pg-adapter/errors.ts";
import { userFacingError } from "./user-facing-errors.ts";

/** The lines around the error position, numbered, as a reader needs them to find the statement. */
function renderPosition(sql: string, position: number): string {
  const before = sql.slice(0, Math.max(0, position - 1));
  const lineIndex = before.split("\n").length - 1;
  const lines = sql.split("\n");
  const first = Math.max(0, lineIndex - 4);
  const width = String(lineIndex + 1).length;
  return lines
    .slice(first, lineIndex + 1)
    .map((line, i) => `${String(first + i + 1).padStart(width + 2)} ${line}`)
    .join("\n");
}

/** A PostgreSQL error as Prisma prints it under "Database error:". */
export function renderDatabaseError(record: ServerErrorRecord): string {
  const parts = [`${record.severity}: ${record.message}`];
  if (record.detail) parts.push(`DETAIL: ${record.detail}`);
  if (record.hint) parts.push(`HINT: ${record.hint}`);
  let text = parts.join("\n");
  if (record.sql && record.position) text += `\n\nPosition:\n${renderPosition(record.sql, record.position)}`;
  return text;
}

export interface TranslatedError {
  code?: string;
  message: string;
}

/** Returns Prisma's error for a failed migration script, or undefined when `error` is something else. */
export function translateEngineError(error: unknown): TranslatedError | undefined {
  const e = error as { name?: unknown; message?: unknown; code?: unknown };
  const message = typeof e?.message === "string" ? e.message : "";
  const failure = typeof e?.code === "string" ? undefined : takeLastConnectionFailure();
  if (failure) return userFacingError(failure.error, failure.target);
  if (!message.includes("external connector error")) return undefined;
  const record = takeLastServerError();
  if (!record) return undefined;
  const databaseError = renderDatabaseError(record);
  const migrationName = /apply_script\s+with migration_name="([^"]+)"/.exec(message)?.[1];
  if (typeof e.code === "string") {
    // Already a user-facing error (P3006…) whose inner error is the generic one: replace the inner part.
    return {
      code: e.code,
      message: message.replace(/external connector error[\s\S]*$/, `Database error code: ${record.code}\n\nDatabase error:\n${databaseError}\n`),
    };
  }
  if (migrationName) {
    return {
      code: "P3018",
      message: `A migration failed to apply. New migrations cannot be applied before the error is recovered from. Read more about how to resolve migration issues in a production database: https://pris.ly/d/migrate-resolve\n\nMigration name: ${migrationName}\n\nDatabase error code: ${record.code}\n\nDatabase error:\n${databaseError}\n`,
    };
  }
  return { message: `Database error code: ${record.code}\n\nDatabase error:\n${databaseError}\n` };
}
