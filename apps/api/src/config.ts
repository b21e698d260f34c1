// The API's settings, read once from the environment and validated with zod, so a missing or malformed
// variable stops the process at start-up with a message naming it instead of failing on first use.
import { existsSync } from "node:fs";
import path from "node:path";
import { redactUrl } from "@repo/redact";
import { z } from "zod";
import { parseBudget, type Budget } from "./rate-limit/budget.ts";
import { parseDuration, parseSize } from "./units.ts";

export const ENVIRONMENTS = ["development", "test", "staging", "production"] as const;
export type Environment = (typeof ENVIRONMENTS)[number];

export const LOG_LEVELS = ["fatal", "error", "warn", "info", "debug", "trace", "silent"] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export interface Config {
  environment: Environment;
  databaseUrl: string;
  databasePoolSize: number;
  port: number;
  host: string;
  logLevel: LogLevel;
  /** Push the Prisma schema on start (no migration history): development and tests only. */
  createTablesOnStart: boolean;
  /** The schema migrations readiness compares against; undefined: the ones bundled with this build. */
  migrationsDir: string | undefined;
  /** The data migrations readiness compares against; undefined: the ones bundled with this build. */
  dataMigrationsDir: string | undefined;
  shutdownTimeoutMs: number;
  /** Where rate-limit counters live, shared by every replica; undefined: this process's memory. */
  redisUrl: string | undefined;
  noColor: boolean;
  /** Signing and lifetimes of the JWTs (see auth/tokens.ts). */
  auth: AuthConfig;
  /** Origins allowed to call the API from a browser (CORS, with credentials); empty: none. */
  corsOrigins: string[];
  /** Largest request body accepted, in bytes. */
  bodyLimitBytes: number;
  rateLimit: RateLimitConfig;
  /** Take the client address from X-Forwarded-For's last entry (one trusted proxy in front). */
  trustProxy: boolean;
}

export interface AuthConfig {
  jwtSecret: string;
  /** True when JWT_SECRET was not set and the development default is used (refused when deployed). */
  defaultSecret: boolean;
  accessTokenTtlSeconds: number;
  refreshTokenTtlSeconds: number;
}

export interface RateLimitConfig {
  /** Budget of anonymous callers (per address) and of callers whose tier has no rule for the path; undefined: unlimited. */
  defaultBudget: Budget | undefined;
  /** What requests get while Redis is unreachable: served (counted in memory) or refused (503). */
  fail: "open" | "closed";
  /** Login attempts per username and address before 429. */
  login: Budget;
}

/** The development and test secret: refused in staging and production. */
export const DEFAULT_JWT_SECRET = "development-only-jwt-secret-do-not-deploy";
/** HS256 wants a key at least as long as its hash (RFC 7518 §3.2). */
export const MIN_SECRET_BYTES = 32;

/** Thrown with every problem found, each naming its variable. */
export class ConfigError extends Error {
  override readonly name = "ConfigError";
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((problem) => `  ${problem}`).join("\n")}\nSee .env.example for every variable.`);
  }
}

const integer = (min: number, max: number) =>
  z.string().trim().regex(/^\d+$/, `must be a whole number from ${min} to ${max}`).transform(Number).pipe(
    z.number().min(min, `must be a whole number from ${min} to ${max}`).max(max, `must be a whole number from ${min} to ${max}`),
  );

const boolean = z
  .string()
  .trim()
  .toLowerCase()
  .pipe(z.enum(["true", "false", "1", "0", "yes", "no", "on", "off"], { error: "must be true or false" }))
  .transform((value) => ["true", "1", "yes", "on"].includes(value));

const urlWithScheme = (schemes: RegExp, example: string) =>
  z
    .string()
    .trim()
    .refine((value) => schemes.test(value) && URL.canParse(value), `must be a URL like ${example}`);

/** A duration in seconds: `900`, `900s`, `15m`, `12h`, `7d`. */
function duration(min: number, max: number, example: string) {
  const message = `must be a duration from ${min} s to ${max} s, like ${example} (s, m, h or d; a bare number is seconds)`;
  return z.string().trim().transform((value, ctx) => {
    const seconds = parseDuration(value);
    if (seconds === undefined || seconds < min || seconds > max) {
      ctx.addIssue({ code: "custom", message });
      return z.NEVER;
    }
    return seconds;
  });
}

/** `<requests>/<duration>`, like `100/1m`; `off` where allowed. */
function budget(allowOff: boolean) {
  // "off" is null: zod's default() would replace an undefined.
  return z.string().trim().transform((value, ctx): Budget | null => {
    if (allowOff && value.toLowerCase() === "off") return null;
    const parsed = parseBudget(value);
    if (!parsed) {
      ctx.addIssue({ code: "custom", message: `must be <requests>/<period>, like 100/1m or 5/15m${allowOff ? ", or off" : ""}` });
      return z.NEVER;
    }
    return parsed;
  });
}

function isOrigin(value: string): boolean {
  if (!URL.canParse(value)) return false;
  const url = new URL(value);
  return (url.protocol === "http:" || url.protocol === "https:") && url.origin === value.replace(/\/$/, "");
}

const schema = z.object({
  NODE_ENV: z.enum(ENVIRONMENTS, { error: `must be one of ${ENVIRONMENTS.join(", ")}` }).default("development"),
  DATABASE_URL: urlWithScheme(/^postgres(ql)?:\/\//i, "postgresql://user:password@host:5432/database").optional(),
  DATABASE_POOL_SIZE: integer(1, 1000).default(10),
  PORT: integer(0, 65_535).default(3000),
  HOST: z.string().trim().min(1).optional(),
  LOG_LEVEL: z.enum(LOG_LEVELS, { error: `must be one of ${LOG_LEVELS.join(", ")}` }).default("info"),
  CREATE_TABLES_ON_START: boolean.optional(),
  MIGRATIONS_DIR: z.string().trim().min(1).optional(),
  DATA_MIGRATIONS_DIR: z.string().trim().min(1).optional(),
  SHUTDOWN_TIMEOUT_MS: integer(0, 600_000).default(10_000),
  REDIS_URL: urlWithScheme(/^rediss?:\/\//i, "redis://host:6379").optional(),
  NO_COLOR: z.string().optional(),
  JWT_SECRET: z.string().optional(),
  ACCESS_TOKEN_TTL: duration(60, 86_400, "15m").default(15 * 60),
  REFRESH_TOKEN_TTL: duration(60, 365 * 86_400, "7d").default(7 * 86_400),
  CORS_ORIGINS: z
    .string()
    .transform((value) => value.split(",").map((origin) => origin.trim()).filter(Boolean))
    .refine((origins) => origins.every(isOrigin), "must be a comma-separated list of origins like https://app.example.com (scheme, host and port only)")
    .optional(),
  BODY_LIMIT: z.string().trim().transform((value, ctx) => {
    const bytes = parseSize(value);
    if (bytes === undefined || bytes < 1024 || bytes > 100 * 1024 * 1024) {
      ctx.addIssue({ code: "custom", message: "must be a size from 1kb to 100mb, like 1048576, 512kb or 1mb" });
      return z.NEVER;
    }
    return bytes;
  }).default(1024 * 1024),
  RATE_LIMIT_DEFAULT: budget(true).default({ limit: 100, periodSeconds: 60 }),
  RATE_LIMIT_FAIL: z.enum(["open", "closed"], { error: "must be open or closed" }).default("open"),
  LOGIN_RATE_LIMIT: budget(false)
    .pipe(z.custom<Budget>((value) => value !== null))
    .default({ limit: 5, periodSeconds: 15 * 60 }),
  TRUST_PROXY: boolean.optional(),
});

const SECRET_URLS = new Set(["DATABASE_URL", "REDIS_URL"]);
const SECRETS = new Set(["JWT_SECRET"]);

function shown(name: string, value: unknown): string {
  if (typeof value !== "string" || SECRETS.has(name)) return "";
  const text = SECRET_URLS.has(name) ? redactUrl(value) : value;
  return ` (got "${text.length > 60 ? `${text.slice(0, 60)}…` : text}")`;
}

/**
 * The configuration from `env` (default process.env). Empty values count as unset, as in a .env file
 * with `PORT=`. Throws a ConfigError naming every missing or malformed variable.
 */
export function loadConfig(env: NodeJS.ProcessEnv = process.env, cwd: string = process.cwd()): Config {
  const present = Object.fromEntries(Object.entries(env).filter(([, value]) => value !== undefined && value.trim() !== ""));
  const parsed = schema.safeParse(present);
  const problems: string[] = [];
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      const name = String(issue.path[0] ?? "environment");
      problems.push(`${name}: ${issue.message}${shown(name, present[name])}`);
    }
    throw new ConfigError(problems);
  }
  const values = parsed.data;
  if (!values.DATABASE_URL) {
    const hint = values.NODE_ENV === "development" ? " (`pnpm dev` sets it, starting an embedded PostgreSQL when you have none)" : "";
    problems.push(`DATABASE_URL: required, a URL like postgresql://user:password@host:5432/database${hint}`);
  }
  const folder = (name: "MIGRATIONS_DIR" | "DATA_MIGRATIONS_DIR") => {
    const given = values[name];
    if (given === undefined) return undefined;
    const resolved = path.resolve(cwd, given);
    if (!existsSync(resolved)) problems.push(`${name}: no such folder (got "${given}")`);
    return resolved;
  };
  const migrationsDir = folder("MIGRATIONS_DIR");
  const dataMigrationsDir = folder("DATA_MIGRATIONS_DIR");
  const deployed = values.NODE_ENV === "staging" || values.NODE_ENV === "production";
  const jwtSecret = values.JWT_SECRET ?? DEFAULT_JWT_SECRET;
  if (deployed) {
    // Never echo the secret itself, only what is wrong with it.
    if (values.JWT_SECRET === undefined) problems.push(`JWT_SECRET: required in ${values.NODE_ENV}, a random string of at least ${MIN_SECRET_BYTES} bytes (e.g. \`openssl rand -base64 48\`)`);
    else if (jwtSecret === DEFAULT_JWT_SECRET) problems.push(`JWT_SECRET: the development default cannot be used in ${values.NODE_ENV}; set a random string of at least ${MIN_SECRET_BYTES} bytes`);
    else if (Buffer.byteLength(jwtSecret) < MIN_SECRET_BYTES) problems.push(`JWT_SECRET: too short (${Buffer.byteLength(jwtSecret)} bytes); use at least ${MIN_SECRET_BYTES} random bytes (e.g. \`openssl rand -base64 48\`)`);
  } else if (values.JWT_SECRET !== undefined && Buffer.byteLength(jwtSecret) < MIN_SECRET_BYTES) {
    problems.push(`JWT_SECRET: too short (${Buffer.byteLength(jwtSecret)} bytes); use at least ${MIN_SECRET_BYTES} bytes, or leave it unset in development for the default`);
  }
  if (values.REFRESH_TOKEN_TTL <= values.ACCESS_TOKEN_TTL) problems.push("REFRESH_TOKEN_TTL: must be longer than ACCESS_TOKEN_TTL");
  if (problems.length) throw new ConfigError(problems);

  return {
    environment: values.NODE_ENV,
    databaseUrl: values.DATABASE_URL as string,
    databasePoolSize: values.DATABASE_POOL_SIZE,
    port: values.PORT,
    // Containers need every interface; a laptop only its own.
    host: values.HOST ?? (deployed ? "0.0.0.0" : "127.0.0.1"),
    logLevel: values.LOG_LEVEL,
    createTablesOnStart: values.CREATE_TABLES_ON_START ?? !deployed,
    migrationsDir,
    dataMigrationsDir,
    shutdownTimeoutMs: values.SHUTDOWN_TIMEOUT_MS,
    redisUrl: values.REDIS_URL,
    noColor: values.NO_COLOR !== undefined,
    auth: {
      jwtSecret,
      defaultSecret: values.JWT_SECRET === undefined,
      accessTokenTtlSeconds: values.ACCESS_TOKEN_TTL,
      refreshTokenTtlSeconds: values.REFRESH_TOKEN_TTL,
    },
    corsOrigins: values.CORS_ORIGINS ?? [],
    bodyLimitBytes: values.BODY_LIMIT,
    rateLimit: { defaultBudget: values.RATE_LIMIT_DEFAULT ?? undefined, fail: values.RATE_LIMIT_FAIL, login: values.LOGIN_RATE_LIMIT },
    trustProxy: values.TRUST_PROXY ?? false,
  };
}

/** Whether the environment is one where the migrator, not the app, owns the schema. */
export const isDeployed = (environment: Environment) => environment === "staging" || environment === "production";
