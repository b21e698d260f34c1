// The engine's one-shot subcommands (`schema-engine cli <command>`), which the Prisma CLI runs to check
// a connection and to create or drop the database before `migrate dev`, `migrate reset` and `db push`.
import pg from "pg";
import { parseConnectionUrl, type ConnectionTarget } from "./connection-config.ts";
import { userFacingError } from "./user-facing-errors.ts";
import { connect } from "./pg-adapter/connection.ts";

export const ONE_SHOT_COMMANDS = ["can-connect-to-database", "create-database", "drop-database"] as const;
export type OneShotCommand = (typeof ONE_SHOT_COMMANDS)[number];

const quoteIdent = (name: string) => `"${name.replaceAll('"', '""')}"`;

/** The maintenance database to connect to when the target database may not exist. */
async function connectToServer(target: ConnectionTarget): Promise<pg.Client> {
  let lastError: unknown;
  for (const database of ["postgres", "template1"]) {
    try {
      return await connect({ ...target, config: { ...target.config, database }, database });
    } catch (error) {
      lastError = error;
    }
  }
  throw lastError;
}

/** Runs one subcommand. Resolves with a success message, or rejects with a user-facing error. */
export async function runOneShot(command: OneShotCommand, url: string): Promise<string> {
  const target = parseConnectionUrl(url);
  try {
    switch (command) {
      case "can-connect-to-database": {
        const client = await connect(target);
        await client.end();
        return "Connection successful";
      }
      case "create-database": {
        const client = await connectToServer(target);
        try {
          await client.query(`CREATE DATABASE ${quoteIdent(target.database)}`);
        } finally {
          await client.end();
        }
        return `Database '${target.database}' was successfully created.`;
      }
      case "drop-database": {
        const client = await connectToServer(target);
        try {
          await client.query(`DROP DATABASE ${quoteIdent(target.database)}`);
        } finally {
          await client.end();
        }
        return `The database '${target.database}' was successfully dropped.`;
      }
    }
  } catch (error) {
    const known = userFacingError(error, target);
    if (known) throw Object.assign(new Error(known.message), { errorCode: known.code });
    throw error;
  }
}
