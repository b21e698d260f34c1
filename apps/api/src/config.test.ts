import { describe, expect, it } from "vitest";
import { ConfigError, DEFAULT_JWT_SECRET, loadConfig } from "./config.ts";

const url = "postgresql://app:secret@db.internal:5432/app";
const secret = "a-production-secret-of-at-least-32-bytes!";

const problemsOf = (env: NodeJS.ProcessEnv): string[] => {
  try {
    loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  return [];
};

describe("loadConfig", () => {
  it("defaults to development: localhost, port 3000, info logs, a pool of 10, createTablesOnStart on", () => {
    expect(loadConfig({ DATABASE_URL: url })).toEqual({
      environment: "development",
      databaseUrl: url,
      databasePoolSize: 10,
      port: 3000,
      host: "127.0.0.1",
      logLevel: "info",
      createTablesOnStart: true,
      migrationsDir: undefined,
      dataMigrationsDir: undefined,
      shutdownTimeoutMs: 10_000,
      redisUrl: undefined,
      noColor: false,
      auth: { jwtSecret: DEFAULT_JWT_SECRET, defaultSecret: true, accessTokenTtlSeconds: 900, refreshTokenTtlSeconds: 604_800 },
      corsOrigins: [],
      bodyLimitBytes: 1_048_576,
      rateLimit: { defaultBudget: { limit: 100, periodSeconds: 60 }, fail: "open", login: { limit: 5, periodSeconds: 900 } },
      trustProxy: false,
    });
  });

  it("turns createTablesOnStart off by default in staging and production (the migrator owns the schema), on in tests", () => {
    expect(loadConfig({ DATABASE_URL: url, NODE_ENV: "production", JWT_SECRET: secret })).toMatchObject({ createTablesOnStart: false, host: "0.0.0.0" });
    expect(loadConfig({ DATABASE_URL: url, NODE_ENV: "staging", JWT_SECRET: secret }).createTablesOnStart).toBe(false);
    expect(loadConfig({ DATABASE_URL: url, NODE_ENV: "test" }).createTablesOnStart).toBe(true);
    expect(loadConfig({ DATABASE_URL: url, NODE_ENV: "production", JWT_SECRET: secret, CREATE_TABLES_ON_START: "true" }).createTablesOnStart).toBe(true);
    expect(loadConfig({ DATABASE_URL: url, CREATE_TABLES_ON_START: "0" }).createTablesOnStart).toBe(false);
  });

  it("reads every variable", () => {
    const config = loadConfig(
      {
        NODE_ENV: "staging",
        DATABASE_URL: url,
        DATABASE_POOL_SIZE: "25",
        PORT: "8080",
        HOST: "::",
        LOG_LEVEL: "warn",
        MIGRATIONS_DIR: ".",
        DATA_MIGRATIONS_DIR: ".",
        SHUTDOWN_TIMEOUT_MS: "30000",
        REDIS_URL: "redis://cache:6379",
        NO_COLOR: "1",
        JWT_SECRET: secret,
        ACCESS_TOKEN_TTL: "5m",
        REFRESH_TOKEN_TTL: "30d",
        CORS_ORIGINS: "https://app.example.com, http://localhost:5173",
        BODY_LIMIT: "256kb",
        RATE_LIMIT_DEFAULT: "off",
        RATE_LIMIT_FAIL: "closed",
        LOGIN_RATE_LIMIT: "10/1h",
        TRUST_PROXY: "true",
      },
      "/tmp",
    );
    expect(config).toMatchObject({ databasePoolSize: 25, port: 8080, host: "::", logLevel: "warn", migrationsDir: "/tmp", dataMigrationsDir: "/tmp", shutdownTimeoutMs: 30_000, redisUrl: "redis://cache:6379", noColor: true });
    expect(config).toMatchObject({
      auth: { jwtSecret: secret, defaultSecret: false, accessTokenTtlSeconds: 300, refreshTokenTtlSeconds: 30 * 86_400 },
      corsOrigins: ["https://app.example.com", "http://localhost:5173"],
      bodyLimitBytes: 256 * 1024,
      rateLimit: { defaultBudget: undefined, fail: "closed", login: { limit: 10, periodSeconds: 3600 } },
      trustProxy: true,
    });
  });

  it("treats empty values as unset, as a .env file's `PORT=` means", () => {
    expect(loadConfig({ DATABASE_URL: url, PORT: "", LOG_LEVEL: "  " })).toMatchObject({ port: 3000, logLevel: "info" });
  });

  it("names every missing or malformed variable, with the value (a URL's password hidden)", () => {
    expect(problemsOf({ NODE_ENV: "prod" })).toEqual(['NODE_ENV: must be one of development, test, staging, production (got "prod")']);
    expect(problemsOf({ NODE_ENV: "production", JWT_SECRET: secret })).toEqual(["DATABASE_URL: required, a URL like postgresql://user:password@host:5432/database"]);
    expect(problemsOf({})).toEqual([expect.stringMatching(/^DATABASE_URL: required, .*`pnpm dev` sets it/)]);
    expect(
      problemsOf({
        DATABASE_URL: "mysql://root:hunter2@db/app",
        PORT: "70000",
        DATABASE_POOL_SIZE: "ten",
        CREATE_TABLES_ON_START: "maybe",
        REDIS_URL: "localhost:6379",
        SHUTDOWN_TIMEOUT_MS: "-1",
        MIGRATIONS_DIR: "/no/such/folder",
      }),
    ).toEqual([
      'DATABASE_URL: must be a URL like postgresql://user:password@host:5432/database (got "mysql://root:***@db/app")',
      'DATABASE_POOL_SIZE: must be a whole number from 1 to 1000 (got "ten")',
      'PORT: must be a whole number from 0 to 65535 (got "70000")',
      'CREATE_TABLES_ON_START: must be true or false (got "maybe")',
      'SHUTDOWN_TIMEOUT_MS: must be a whole number from 0 to 600000 (got "-1")',
      'REDIS_URL: must be a URL like redis://host:6379 (got "localhost:6379")',
    ]);
    expect(problemsOf({ DATABASE_URL: url, MIGRATIONS_DIR: "/no/such/folder" })).toEqual(['MIGRATIONS_DIR: no such folder (got "/no/such/folder")']);
  });

  it("refuses to deploy without a JWT secret, with the development default or a short one, never printing it", () => {
    for (const NODE_ENV of ["staging", "production"]) {
      expect(problemsOf({ DATABASE_URL: url, NODE_ENV })).toEqual([expect.stringMatching(new RegExp(`^JWT_SECRET: required in ${NODE_ENV}, a random string of at least 32 bytes`))]);
      expect(problemsOf({ DATABASE_URL: url, NODE_ENV, JWT_SECRET: DEFAULT_JWT_SECRET })).toEqual([expect.stringMatching(/^JWT_SECRET: the development default cannot be used/)]);
      const short = problemsOf({ DATABASE_URL: url, NODE_ENV, JWT_SECRET: "hunter2-but-longer" });
      expect(short).toEqual(["JWT_SECRET: too short (18 bytes); use at least 32 random bytes (e.g. `openssl rand -base64 48`)"]);
      expect(short.join()).not.toContain("hunter2");
    }
    // Development may use the default (the app warns), but not a short secret of its own.
    expect(loadConfig({ DATABASE_URL: url }).auth.defaultSecret).toBe(true);
    expect(problemsOf({ DATABASE_URL: url, JWT_SECRET: "short" })).toEqual([expect.stringMatching(/^JWT_SECRET: too short \(5 bytes\)/)]);
  });

  it("names malformed security settings", () => {
    expect(
      problemsOf({
        DATABASE_URL: url,
        ACCESS_TOKEN_TTL: "forever",
        REFRESH_TOKEN_TTL: "10",
        CORS_ORIGINS: "https://ok.example.com,*,https://x.example.com/path",
        BODY_LIMIT: "1tb",
        RATE_LIMIT_DEFAULT: "lots",
        RATE_LIMIT_FAIL: "maybe",
        LOGIN_RATE_LIMIT: "off",
        TRUST_PROXY: "sometimes",
      }),
    ).toEqual([
      expect.stringMatching(/^ACCESS_TOKEN_TTL: must be a duration from 60 s to 86400 s, like 15m/),
      expect.stringMatching(/^REFRESH_TOKEN_TTL: must be a duration from 60 s/),
      expect.stringMatching(/^CORS_ORIGINS: must be a comma-separated list of origins/),
      expect.stringMatching(/^BODY_LIMIT: must be a size from 1kb to 100mb/),
      expect.stringMatching(/^RATE_LIMIT_DEFAULT: must be <requests>\/<period>, like 100\/1m or 5\/15m, or off/),
      'RATE_LIMIT_FAIL: must be open or closed (got "maybe")',
      expect.stringMatching(/^LOGIN_RATE_LIMIT: must be <requests>\/<period>, like 100\/1m or 5\/15m \(got "off"\)/),
      'TRUST_PROXY: must be true or false (got "sometimes")',
    ]);
    expect(problemsOf({ DATABASE_URL: url, ACCESS_TOKEN_TTL: "1h", REFRESH_TOKEN_TTL: "30m" })).toEqual(["REFRESH_TOKEN_TTL: must be longer than ACCESS_TOKEN_TTL"]);
  });

  it("formats the problems as one message for the terminal", () => {
    expect(() => loadConfig({ PORT: "x", DATABASE_URL: url })).toThrow(/^Invalid configuration:\n {2}PORT: .*\nSee \.env\.example for every variable\.$/);
  });
});
