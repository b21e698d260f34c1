// Prisma's user-facing connection errors (P1000, P1001, P1003, P1009, P1010…), worded as the native
// engine words them, for the paths the bridge answers itself rather than through the wasm engine.
import { isDriverAdapterError, type MappedError } from "@prisma/driver-adapter-utils";
import type { ConnectionTarget } from "./connection-config.ts";
import { mapPgError } from "./pg-adapter/errors.ts";

export interface UserFacingError {
  code: string;
  message: string;
}

/** The Prisma error code and message for a failure talking to `target`, or undefined if it has none. */
export function userFacingError(error: unknown, target: ConnectionTarget): UserFacingError | undefined {
  let mapped: MappedError;
  try {
    mapped = isDriverAdapterError(error) ? error.cause : mapPgError(error);
  } catch {
    return undefined;
  }
  const host = String(target.config.host ?? "localhost");
  const port = String(target.config.port ?? 5432);
  const user = String(target.config.user ?? "");
  const database = target.database;
  switch (mapped.kind) {
    case "AuthenticationFailed":
      return {
        code: "P1000",
        message: `Authentication failed against database server at \`${host}\`, the provided database credentials for \`${user}\` are not valid.\n\nPlease make sure to provide valid database credentials for the database server at \`${host}\`.`,
      };
    case "DatabaseNotReachable":
      return {
        code: "P1001",
        message: `Can't reach database server at \`${host}:${port}\`\n\nPlease make sure your database server is running at \`${host}:${port}\`.`,
      };
    case "SocketTimeout":
      return {
        code: "P1002",
        message: `The database server at \`${host}:${port}\` was reached but timed out.\n\nPlease try again.\n\nPlease make sure your database server is running at \`${host}:${port}\`.`,
      };
    case "DatabaseDoesNotExist":
      return {
        code: "P1003",
        message: `Database \`${mapped.db ?? database}\` does not exist on the database server at \`${host}:${port}\`.`,
      };
    case "DatabaseAlreadyExists":
      return {
        code: "P1009",
        message: `Database \`${mapped.db ?? database}\` already exists on the database server at \`${host}:${port}\``,
      };
    case "DatabaseAccessDenied":
      return { code: "P1010", message: `User \`${user}\` was denied access on the database \`${mapped.db ?? database}\`` };
    case "TlsConnectionError":
      return { code: "P1011", message: `Error opening a TLS connection: ${mapped.reason}` };
    case "TooManyConnections":
      return { code: "P1001", message: `Too many database connections opened: ${mapped.cause}` };
    case "postgres":
      if (mapped.code === "42501") {
        return { code: "P1010", message: `User \`${user}\` was denied access on the database \`${database}\`` };
      }
      return undefined;
    default:
      return undefined;
  }
}
