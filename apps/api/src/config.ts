// The API's settings, read once from the environment and validated with zod, so a missing or malformed
// variable stops the process at start-up with a message naming it instead of failing on first use.
import { existsSync } from "node:fs";
import path from "node:path";
import { redactUrl } from "@repo/redact";
import { z } from "zod";

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
  /** Reserved for caching and rate limiting; validated, not used yet. */
  redisUrl: string | undefined;
  noColor: boolean;
}

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
});

const SECRET_URLS = new Set(["DATABASE_URL", "REDIS_URL"]);

function shown(name: string, value: unknown): string {
  if (typeof value !== "string") return "";
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
  if (problems.length) throw new ConfigError(problems);

  const deployed = values.NODE_ENV === "staging" || values.NODE_ENV === "production";
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
  };
}

/** Whether the environment is one where the migrator, not the app, owns the schema. */
export const isDeployed = (environment: Environment) => environment === "staging" || environment === "production";
