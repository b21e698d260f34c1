// Prisma's errors turned into the API's: a unique violation is a 409, a missing row a 404, a dangling
// reference a 422, an unreachable database a 503. Everything else stays unknown (a 500: a bug).
import { Prisma } from "@repo/db/client";
import { ApiError, ConflictError, DatabaseUnavailableError, UnknownReferenceError, ValidationError } from "./api-error.ts";

const camel = (snake: string) => snake.replace(/_([a-z0-9])/g, (_, letter: string) => letter.toUpperCase());

interface AdapterCause {
  kind?: string;
  constraint?: { index?: string; fields?: string[] };
}

function adapterCause(meta: Record<string, unknown> | undefined): AdapterCause | undefined {
  const adapterError = meta?.driverAdapterError as { cause?: AdapterCause } | undefined;
  return adapterError?.cause;
}

/**
 * The fields a unique violation names. Prisma reports `target` with the native engine; through the
 * pg adapter it reports the constraint (`user_email_key`), which Prisma names `<table>_<columns>_key`.
 */
export function uniqueFields(error: Prisma.PrismaClientKnownRequestError): string[] {
  const target = error.meta?.target;
  if (Array.isArray(target)) return target.map(String);
  const constraint = adapterCause(error.meta)?.constraint;
  if (constraint?.fields?.length) return constraint.fields.map((field) => camel(field.replace(/^"|"$/g, "")));
  const table = typeof error.meta?.modelName === "string" ? error.meta.modelName : "";
  const index = constraint?.index;
  if (!index) return [];
  const withoutTable = index.toLowerCase().startsWith(`${camelToSnake(table)}_`) ? index.slice(camelToSnake(table).length + 1) : index;
  return [camel(withoutTable.replace(/_key$/, ""))];
}

/** The field of a violated foreign key, from Prisma's constraint name `<table>_<column>_fkey`. */
function foreignKeyField(error: Prisma.PrismaClientKnownRequestError): string {
  const index = adapterCause(error.meta)?.constraint?.index ?? (typeof error.meta?.field_name === "string" ? error.meta.field_name : "");
  const table = camelToSnake(typeof error.meta?.modelName === "string" ? error.meta.modelName : "");
  const column = index.replace(/ \(index\)$/, "").replace(/_fkey$/, "");
  return camel(table && column.startsWith(`${table}_`) ? column.slice(table.length + 1) : column) || "reference";
}

const camelToSnake = (name: string) => name.replace(/([a-z0-9])([A-Z])/g, "$1_$2").toLowerCase();

const UNAVAILABLE_KINDS = new Set([
  "DatabaseNotReachable",
  "DatabaseDoesNotExist",
  "DatabaseAccessDenied",
  "AuthenticationFailed",
  "TooManyConnections",
  "ConnectionClosed",
  "SocketTimeout",
  "TransactionAlreadyClosed",
]);

/** Whether the error says the database is down or unreachable, rather than the query being wrong. */
export function isDatabaseUnavailable(error: unknown): boolean {
  if (error instanceof Prisma.PrismaClientInitializationError) return true;
  if (error instanceof Prisma.PrismaClientKnownRequestError) {
    // P1xxx: connection and server errors; P2024: timed out waiting for a pooled connection.
    if (/^P1\d{3}$/.test(error.code) || error.code === "P2024") return true;
    const kind = adapterCause(error.meta)?.kind;
    return kind !== undefined && UNAVAILABLE_KINDS.has(kind);
  }
  return false;
}

/**
 * The API error for a database error the caller has no specific handling for, or undefined when the
 * error is not one the API expects (the error handler then answers 500 and logs it as a bug). Missing
 * rows (P2025) are turned into 404s by the routes, which know what was missing.
 */
export function fromDatabaseError(error: unknown, resource = "row"): ApiError | undefined {
  if (isDatabaseUnavailable(error)) return new DatabaseUnavailableError();
  if (!(error instanceof Prisma.PrismaClientKnownRequestError)) return undefined;
  switch (error.code) {
    case "P2002": {
      const fields = uniqueFields(error);
      const what = fields.length ? fields.join(", ") : "a unique value";
      return new ConflictError(`A ${resource} with this ${what} already exists.`, fields);
    }
    case "P2003":
      return new UnknownReferenceError(foreignKeyField(error));
    case "P2000":
      return new ValidationError([{ path: typeof error.meta?.column_name === "string" ? error.meta.column_name : "", message: "too long for its column" }]);
    default:
      return undefined;
  }
}

/** Whether Prisma found no row to update or delete. */
export const isRecordNotFound = (error: unknown) => error instanceof Prisma.PrismaClientKnownRequestError && error.code === "P2025";

