// Turns what `pg` throws into the driver-adapter errors the schema engine understands, so the engine
// reports Prisma's own codes: P1000 (authentication), P1001 (unreachable), P1003 (missing database)…
import { DriverAdapterError, type MappedError } from "@prisma/driver-adapter-utils";

interface PgServerError {
  code: string;
  message: string;
  severity?: string;
  detail?: string;
  column?: string;
  hint?: string;
  constraint?: string;
  table?: string;
}

interface NodeSocketError {
  code: string;
  syscall?: string;
  address?: string;
  hostname?: string;
  port?: number;
}

const socketCodes = new Set(["ENOTFOUND", "EAI_AGAIN", "ECONNREFUSED", "ECONNRESET", "ETIMEDOUT", "EHOSTUNREACH", "ENETUNREACH"]);

function isServerError(error: unknown): error is PgServerError {
  const e = error as Partial<PgServerError> | null;
  return typeof e?.code === "string" && typeof e.message === "string" && typeof e.severity === "string";
}

function isSocketError(error: unknown): error is NodeSocketError {
  const e = error as Partial<NodeSocketError> | null;
  return typeof e?.code === "string" && socketCodes.has(e.code);
}

/** The quoted name in a server message such as `database "x" does not exist`. */
function quotedName(message: string): string | undefined {
  return /"([^"]*)"/.exec(message)?.[1];
}

function fieldsOf(detail: string | undefined): string[] | undefined {
  return /Key \(([^)]+)\)/.exec(detail ?? "")?.[1]?.split(", ");
}

/** Maps an error thrown by `pg` to the engine's error kinds; anything unrecognised is rethrown as is. */
export function mapPgError(error: unknown): MappedError {
  if (isSocketError(error)) {
    switch (error.code) {
      case "ECONNRESET":
        return { kind: "ConnectionClosed" };
      case "ETIMEDOUT":
        return { kind: "SocketTimeout" };
      default:
        return { kind: "DatabaseNotReachable", host: error.address ?? error.hostname, port: error.port };
    }
  }
  if (error instanceof Error && /SSL|TLS|certificate/i.test(error.message) && !isServerError(error)) {
    return { kind: "TlsConnectionError", reason: error.message };
  }
  if (!isServerError(error)) throw error;
  switch (error.code) {
    case "3D000":
      return { kind: "DatabaseDoesNotExist", db: quotedName(error.message) };
    case "42P04":
      return { kind: "DatabaseAlreadyExists", db: quotedName(error.message) };
    case "28000":
      return { kind: "DatabaseAccessDenied", db: /database "([^"]*)"/.exec(error.message)?.[1] };
    case "28P01":
      return { kind: "AuthenticationFailed", user: quotedName(error.message) };
    case "53300":
      return { kind: "TooManyConnections", cause: error.message };
    case "23505": {
      const fields = fieldsOf(error.detail);
      return {
        kind: "UniqueConstraintViolation",
        constraint: error.constraint ? { index: error.constraint } : fields ? { fields } : undefined,
        table: error.table,
      };
    }
    default:
      return {
        kind: "postgres",
        code: error.code,
        severity: error.severity ?? "ERROR",
        message: error.message,
        detail: error.detail,
        column: error.column,
        hint: error.hint,
      };
  }
}

/** A server error the adapter saw, with the SQL that caused it. */
export interface ServerErrorRecord {
  code: string;
  message: string;
  severity: string;
  detail?: string | undefined;
  hint?: string | undefined;
  /** 1-based character offset into `sql`, when the server reported one. */
  position?: number | undefined;
  sql?: string | undefined;
}

let lastServerError: ServerErrorRecord | undefined;

/**
 * The last server error any adapter in this process saw. The wasm engine reports a failed migration
 * script as a bare "external connector error"; the bridge rebuilds Prisma's P3018 from this record.
 */
export function takeLastServerError(): ServerErrorRecord | undefined {
  const record = lastServerError;
  lastServerError = undefined;
  return record;
}

/** Throws `error` as a DriverAdapterError the engine can turn into a Prisma error code. */
export function rethrowAsAdapterError(error: unknown, sql?: string): never {
  if (error instanceof DriverAdapterError) throw error;
  if (isServerError(error)) {
    const position = Number((error as { position?: string }).position);
    lastServerError = {
      code: error.code,
      message: error.message,
      severity: error.severity ?? "ERROR",
      detail: error.detail,
      hint: error.hint,
      position: Number.isFinite(position) ? position : undefined,
      sql,
    };
  }
  const original = isServerError(error) ? { originalCode: error.code, originalMessage: error.message } : {};
  throw new DriverAdapterError({ ...mapPgError(error), ...original });
}
