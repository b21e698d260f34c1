// createTablesOnStart, the seed's `create_tables_on_start`: bring the database to the Prisma schema at
// start-up without migration history (`prisma db push` through the WebAssembly bridge). For development
// and tests; in staging and production the migrator owns the schema.
import type { Logger } from "pino";
import { isDeployed, type Environment } from "./config.ts";

/** What the push needs from `@repo/prisma-engine` (development tooling, loaded only when used). */
export interface SchemaPusher {
  pushSchema(options: { url: string; schemaFiles: string[] }): Promise<unknown>;
}

export class SchemaPushError extends Error {
  override readonly name = "SchemaPushError";
}

/** Loads the bridge. A production bundle leaves it out; the import then fails and says why. */
export const loadSchemaPusher = async (): Promise<SchemaPusher> => import("@repo/prisma-engine");

export interface PushOnStartOptions {
  url: string;
  schemaPath: string;
  environment: Environment;
  logger: Logger;
  load?: () => Promise<SchemaPusher>;
}

/**
 * Pushes the schema. Refuses changes that would lose data (the push then fails and changes nothing).
 * Warns loudly when run where the migrator should own the schema.
 */
export async function pushSchemaOnStart(options: PushOnStartOptions): Promise<Date> {
  const { logger, environment } = options;
  if (isDeployed(environment)) {
    logger.warn(
      { createTablesOnStart: true, environment },
      `CREATE_TABLES_ON_START is on in ${environment}. The schema is pushed without migration history: no rollback, no record of ` +
        "what changed, and /ready no longer checks migrations. Turn it off and deploy the schema with the migrator (`migrator deploy`).",
    );
  }
  let pusher: SchemaPusher;
  try {
    pusher = await (options.load ?? loadSchemaPusher)();
  } catch (cause) {
    throw new SchemaPushError(
      "CREATE_TABLES_ON_START is on, but this build cannot push a schema: the development tooling @repo/prisma-engine could not be " +
        "loaded (production builds do not include it). Set CREATE_TABLES_ON_START=false and apply migrations with the migrator.",
      { cause },
    );
  }
  const started = performance.now();
  try {
    await pusher.pushSchema({ url: options.url, schemaFiles: [options.schemaPath] });
  } catch (cause) {
    const reason = cause instanceof Error ? cause.message : String(cause);
    throw new SchemaPushError(`CREATE_TABLES_ON_START: pushing the schema failed: ${reason}`, { cause });
  }
  logger.info({ durationMs: Math.round(performance.now() - started) }, "schema pushed (createTablesOnStart)");
  return new Date();
}
