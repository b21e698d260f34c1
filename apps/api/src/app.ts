// createApp: the whole API as a Hono app, without listening, so tests call `app.request()` and the
// server (server.ts) only adds a socket. It owns a Prisma client on its own pool; `close` ends it.
import { OpenAPIHono } from "@hono/zod-openapi";
import { createDb, type PrismaClient } from "@repo/db/client";
import { dataMigrationsDir as bundledDataMigrationsDir, migrationsDir as bundledMigrationsDir, schemaPath as bundledSchemaPath } from "@repo/db/paths";
import type { Context } from "hono";
import { bodyLimit } from "hono/body-limit";
import { requestId } from "hono/request-id";
import type { Logger } from "pino";
import type { AppEnv } from "./app-env.ts";
import type { Environment } from "./config.ts";
import { errorResponse, notFound, onError, validationHook } from "./errors/respond.ts";
import { closeConnectionsWhile } from "./middleware/draining.ts";
import { requestLogger } from "./middleware/request-logger.ts";
import { DEFAULT_SCRYPT, type ScryptParams } from "./passwords.ts";
import { checkReadiness, type Readiness, type SchemaSource } from "./readiness/readiness.ts";
import { docsRoutes } from "./routes/docs.ts";
import { healthRoutes } from "./routes/health.ts";
import { resources } from "./routes/index.ts";
import { pushSchemaOnStart, type SchemaPusher } from "./schema-on-start.ts";

export interface AppOptions {
  databaseUrl: string;
  environment: Environment;
  logger: Logger;
  /** Push the Prisma schema before serving (no migration history). See schema-on-start.ts. */
  createTablesOnStart: boolean;
  /** Connections in the app's pool (default 10). */
  poolSize?: number;
  /** The schema migrations /ready compares with (default: those bundled with this build). */
  migrationsDir?: string;
  /** The data migrations /ready compares with (default: those bundled with this build). */
  dataMigrationsDir?: string;
  /** The schema createTablesOnStart pushes (default: the one bundled with this build). */
  schemaPath?: string;
  /** scrypt cost of new password hashes (default OWASP's N = 2^17; tests use less). */
  scrypt?: ScryptParams;
  /** Largest request body accepted, in bytes (default 1 MiB): beyond it, 413 before parsing. */
  bodyLimitBytes?: number;
  /** How long each readiness check may take (default 2 s). */
  readinessTimeoutMs?: number;
  /** Loads the schema-push bridge (tests replace it). */
  loadSchemaPusher?: () => Promise<SchemaPusher>;
}

export interface Api {
  app: OpenAPIHono<AppEnv>;
  db: PrismaClient;
  /** Runs the readiness checks, as /ready does. */
  readiness(): Promise<Readiness>;
  /** Marks the app as draining: /ready answers 503 and responses close their connections. */
  startDraining(): void;
  /** Closes the database pool. */
  close(): Promise<void>;
}

const DEFAULT_BODY_LIMIT = 1024 * 1024;
const notChecked = { ok: false, pending: [], failed: [], edited: [], missing: [], error: "not checked: shutting down" };

/**
 * Builds the API. With createTablesOnStart, first pushes the schema (and fails, changing nothing, if
 * that is impossible). Opens no connection otherwise: the pool connects on the first query.
 */
export async function createApp(options: AppOptions): Promise<Api> {
  const { logger } = options;
  let schema: SchemaSource;
  if (options.createTablesOnStart) {
    const pushedAt = await pushSchemaOnStart({
      url: options.databaseUrl,
      schemaPath: options.schemaPath ?? bundledSchemaPath,
      environment: options.environment,
      logger,
      load: options.loadSchemaPusher,
    });
    schema = { mode: "push", pushedAt };
  } else {
    schema = {
      mode: "migrations",
      migrationsDir: options.migrationsDir ?? bundledMigrationsDir,
      dataMigrationsDir: options.dataMigrationsDir ?? bundledDataMigrationsDir,
    };
  }

  const db = createDb({ url: options.databaseUrl, poolSize: options.poolSize ?? 10, applicationName: "api" });
  let draining = false;
  const readiness = async (): Promise<Readiness> => {
    if (draining) {
      return {
        status: "not_ready",
        shuttingDown: true,
        database: { ok: false, error: "not checked: shutting down" },
        schema: schema.mode === "push" ? { mode: "push", ok: true, pushedAt: schema.pushedAt.toISOString() } : { mode: "migrations", ...notChecked },
        dataMigrations: { ...notChecked, checked: false },
      };
    }
    return checkReadiness({
      db,
      url: options.databaseUrl,
      schema,
      timeoutMs: options.readinessTimeoutMs ?? 2000,
    });
  };

  const app = new OpenAPIHono<AppEnv>({ defaultHook: validationHook });
  app.use(requestId());
  app.use(requestLogger(logger));
  app.use(closeConnectionsWhile(() => draining));
  app.use(
    bodyLimit({
      maxSize: options.bodyLimitBytes ?? DEFAULT_BODY_LIMIT,
      onError: (c) => errorResponse(c as Context<AppEnv>, 413, "BODY_TOO_LARGE", `The request body is larger than ${options.bodyLimitBytes ?? DEFAULT_BODY_LIMIT} bytes.`),
    }),
  );
  app.onError(onError);
  app.notFound(notFound);

  app.route("/", healthRoutes(readiness));
  const deps = { db, scrypt: options.scrypt ?? DEFAULT_SCRYPT };
  for (const resource of resources) app.route("/", resource.routes(deps));

  app.doc31("/openapi.json", {
    openapi: "3.1.0",
    info: {
      title: "API",
      version: "1.0.0",
      description: "Users, posts, categories, tiers and rate limits. Errors share one shape (`Error`); lists are keyset-paginated (`limit`, `cursor`).",
    },
  });
  app.route("/", docsRoutes({ openApiPath: "/openapi.json" }));

  return {
    app,
    db,
    readiness,
    startDraining: () => {
      draining = true;
    },
    close: () => db.$disconnect(),
  };
}
