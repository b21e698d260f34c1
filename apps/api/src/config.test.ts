import { describe, expect, it } from "vitest";
import { ConfigError, loadConfig } from "./config.ts";

const url = "postgresql://app:secret@db.internal:5432/app";

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
    });
  });

  it("turns createTablesOnStart off by default in staging and production (the migrator owns the schema), on in tests", () => {
    expect(loadConfig({ DATABASE_URL: url, NODE_ENV: "production" })).toMatchObject({ createTablesOnStart: false, host: "0.0.0.0" });
    expect(loadConfig({ DATABASE_URL: url, NODE_ENV: "staging" }).createTablesOnStart).toBe(false);
    expect(loadConfig({ DATABASE_URL: url, NODE_ENV: "test" }).createTablesOnStart).toBe(true);
    expect(loadConfig({ DATABASE_URL: url, NODE_ENV: "production", CREATE_TABLES_ON_START: "true" }).createTablesOnStart).toBe(true);
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
      },
      "/tmp",
    );
    expect(config).toMatchObject({ databasePoolSize: 25, port: 8080, host: "::", logLevel: "warn", migrationsDir: "/tmp", dataMigrationsDir: "/tmp", shutdownTimeoutMs: 30_000, redisUrl: "redis://cache:6379", noColor: true });
  });

  it("treats empty values as unset, as a .env file's `PORT=` means", () => {
    expect(loadConfig({ DATABASE_URL: url, PORT: "", LOG_LEVEL: "  " })).toMatchObject({ port: 3000, logLevel: "info" });
  });

  it("names every missing or malformed variable, with the value (a URL's password hidden)", () => {
    expect(problemsOf({ NODE_ENV: "prod" })).toEqual(['NODE_ENV: must be one of development, test, staging, production (got "prod")']);
    expect(problemsOf({ NODE_ENV: "production" })).toEqual(["DATABASE_URL: required, a URL like postgresql://user:password@host:5432/database"]);
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

  it("formats the problems as one message for the terminal", () => {
    expect(() => loadConfig({ PORT: "x", DATABASE_URL: url })).toThrow(/^Invalid configuration:\n {2}PORT: .*\nSee \.env\.example for every variable\.$/);
  });
});
