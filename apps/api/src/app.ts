// createApp: the whole API as a Hono app, without listening, so tests call `app.request()` and the
// server (server.ts) only adds a socket. It owns a Prisma client on its own pool and the rate-limit
// store (a Redis connection when configured); `close` ends both.
import { OpenAPIHono } from "@hono/zod-openapi";
import { createDb, type PrismaClient } from "@repo/db/client";
import { dataMigrationsDir as bundledDataMigrationsDir, migrationsDir as bundledMigrationsDir, schemaPath as bundledSchemaPath } from "@repo/db/paths";
import type { Context } from "hono";
import { bodyLimit } from "hono/body-limit";
import { cors } from "hono/cors";
import { requestId } from "hono/request-id";
import { secureHeaders } from "hono/secure-headers";
import type { Logger } from "pino";
import type { AppEnv } from "./app-env.ts";
import { authenticate } from "./auth/authenticate.ts";
import { registerSecuritySchemes } from "./auth/openapi.ts";
import { authRoutes } from "./auth/routes.ts";
import { Tokens } from "./auth/tokens.ts";
import { DEFAULT_JWT_SECRET, isDeployed, type Environment } from "./config.ts";
import { errorResponse, notFound, onError, validationHook } from "./errors/respond.ts";
import { closeConnectionsWhile } from "./middleware/draining.ts";
import { requestLogger } from "./middleware/request-logger.ts";
import { DEFAULT_SCRYPT, type ScryptParams } from "./passwords.ts";
import { checkReadiness, type Readiness, type SchemaSource } from "./readiness/readiness.ts";
import { docsRoutes } from "./routes/docs.ts";
import { healthRoutes } from "./routes/health.ts";
import { resources } from "./routes/index.ts";
import { pushSchemaOnStart, type SchemaPusher } from "./schema-on-start.ts";
import type { Budget } from "./rate-limit/budget.ts";
import { clientIp } from "./rate-limit/client-ip.ts";
import { rateLimit } from "./rate-limit/middleware.ts";
import { TierRules } from "./rate-limit/rules.ts";
import { createRateLimitStore, type FailMode, type RateLimitHealth } from "./rate-limit/store.ts";

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
  /** JWT signing and lifetimes. Default secret: a fixed development one, refused in staging and production. */
  auth?: {
    jwtSecret: string;
    /** Default 15 minutes. */
    accessTokenTtlSeconds?: number;
    /** Default 7 days. */
    refreshTokenTtlSeconds?: number;
    /** The clock tokens are issued and checked with (ms since the epoch; tests move it). */
    now?: () => number;
  };
  /** Origins allowed to call from a browser, with credentials (CORS); default none. */
  corsOrigins?: string[];
  /** Where rate-limit counters live; unset: this process's memory. */
  redisUrl?: string | undefined;
  rateLimit?: {
    /** Anonymous callers' budget (per address), and that of callers whose tier has no rule for the path; null: unlimited. Default 100/min. */
    defaultBudget?: Budget | null;
    /** While Redis is unreachable: serve (count in memory) or refuse with 503. Default open. */
    fail?: FailMode;
    /** Sign-in attempts per username and address. Default 5 per 15 minutes. */
    login?: Budget;
    /** Prefix of the Redis keys (default "api:rl"). */
    keyPrefix?: string;
    /** How long a tier's rules are cached (default 5 s). */
    rulesTtlMs?: number;
    /** Client address from X-Forwarded-For's last entry (one trusted proxy). Default false. */
    trustProxy?: boolean;
  };
}

export interface Api {
  app: OpenAPIHono<AppEnv>;
  db: PrismaClient;
  /** Runs the readiness checks, as /ready does. */
  readiness(): Promise<ApiReadiness>;
  /** Marks the app as draining: /ready answers 503 and responses close their connections. */
  startDraining(): void;
  /** Closes the database pool and the rate-limit store's connection. */
  close(): Promise<void>;
}

/** /ready's body: the database and migrations, and where rate limits are counted. */
export type ApiReadiness = Readiness & { rateLimit?: RateLimitHealth };

const DEFAULT_ACCESS_TTL = 15 * 60;
const DEFAULT_REFRESH_TTL = 7 * 86_400;
const DEFAULT_BUDGET: Budget = { limit: 100, periodSeconds: 60 };
const DEFAULT_LOGIN_BUDGET: Budget = { limit: 5, periodSeconds: 15 * 60 };
// Probes are never authenticated nor counted; the token routes read their tokens themselves.
const PROBES = new Set(["/health", "/ready"]);
const UNAUTHENTICATED = new Set([...PROBES, "/login", "/refresh", "/logout"]);

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

  if (!options.auth && isDeployed(options.environment)) throw new Error(`createApp: auth.jwtSecret is required in ${options.environment}.`);
  if (!options.auth || options.auth.jwtSecret === DEFAULT_JWT_SECRET) {
    logger.warn("JWT_SECRET is not set: tokens are signed with the development default. Set JWT_SECRET (32+ random bytes) before deploying.");
  }
  const tokens = new Tokens({
    secret: options.auth?.jwtSecret ?? DEFAULT_JWT_SECRET,
    accessTokenTtlSeconds: options.auth?.accessTokenTtlSeconds ?? DEFAULT_ACCESS_TTL,
    refreshTokenTtlSeconds: options.auth?.refreshTokenTtlSeconds ?? DEFAULT_REFRESH_TTL,
    ...(options.auth?.now ? { now: options.auth.now } : {}),
  });
  const limits = options.rateLimit ?? {};
  const store = await createRateLimitStore({ redisUrl: options.redisUrl, keyPrefix: limits.keyPrefix ?? "api:rl", fail: limits.fail ?? "open", logger });

  // Deployed, Prisma's errors go to logs, not to a developer's terminal: "minimal" wording, and no stack
  // trace captured on every query to point at its caller (~40–90 µs of CPU a query; bench:api).
  const db = createDb({ url: options.databaseUrl, poolSize: options.poolSize ?? 10, applicationName: "api", ...(isDeployed(options.environment) ? { errorFormat: "minimal" as const } : {}) });
  let draining = false;
  const readiness = async (): Promise<ApiReadiness> => {
    const state = await databaseReadiness();
    const rateLimit = store.health();
    // Failing open, an unreachable Redis is reported but does not take the replica out of service.
    const ok = state.status === "ready" && (rateLimit.ok || rateLimit.fail === "open");
    return { ...state, status: ok ? "ready" : "not_ready", rateLimit };
  };
  const databaseReadiness = async (): Promise<Readiness> => {
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
  // Defaults: HSTS, nosniff, frame and referrer policies, same-origin resource and opener policies.
  app.use(secureHeaders());
  if (options.corsOrigins?.length) {
    app.use(
      cors({
        origin: options.corsOrigins,
        credentials: true,
        allowMethods: ["GET", "POST", "PATCH", "DELETE", "OPTIONS"],
        allowHeaders: ["Authorization", "Content-Type", "X-Request-Id"],
        exposeHeaders: ["X-Request-Id", "Retry-After", "RateLimit-Limit", "RateLimit-Remaining", "RateLimit-Reset", "RateLimit-Policy"],
        maxAge: 600,
      }),
    );
  }
  app.use(
    bodyLimit({
      maxSize: options.bodyLimitBytes ?? DEFAULT_BODY_LIMIT,
      onError: (c) => errorResponse(c as Context<AppEnv>, 413, "BODY_TOO_LARGE", `The request body is larger than ${options.bodyLimitBytes ?? DEFAULT_BODY_LIMIT} bytes.`),
    }),
  );
  const ipOf = (c: Context) => clientIp(c, limits.trustProxy ?? false);
  const rules = new TierRules(db, limits.rulesTtlMs);
  app.use(authenticate({ db, tokens, skip: UNAUTHENTICATED }));
  app.use(rateLimit({ store, rules, defaultBudget: limits.defaultBudget === null ? undefined : (limits.defaultBudget ?? DEFAULT_BUDGET), clientIp: ipOf, exempt: PROBES }));
  app.onError(onError);
  app.notFound(notFound);
  registerSecuritySchemes(app);

  app.route("/", healthRoutes(readiness));
  const deps = { db, scrypt: options.scrypt ?? DEFAULT_SCRYPT };
  app.route("/", authRoutes({ db, tokens, scrypt: deps.scrypt, store, loginBudget: limits.login ?? DEFAULT_LOGIN_BUDGET, clientIp: ipOf }));
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
    close: async () => {
      await Promise.all([db.$disconnect(), store.close()]);
    },
  };
}
