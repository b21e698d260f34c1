// `pnpm dev`: a database (DATABASE_URL, or the embedded PostgreSQL started or reused), every schema and
// data migration applied (`migrator deploy`'s engine), the idempotent seed, then the API in watch mode.
// With CI set there is no one to watch: it starts the API once, checks /ready, and stops.
// Exit codes: 0 done (CI) or the API stopped cleanly, 1 a step failed, 2 invalid configuration.
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { createDb } from "@repo/db/client";
import { resolveDatabaseUrl } from "@repo/dev-postgres";
import { deployDevDatabase } from "../../../../packages/db/src/cli/dev.ts";
import { createApp } from "../app.ts";
import { ConfigError, loadConfig } from "../config.ts";
import { createLogger } from "../logger.ts";
import { listen } from "../server.ts";
import { adminFromEnv, describeSeed, seed } from "./seed.ts";

const say = (line: string) => process.stderr.write(`${line}\n`);
const apiMain = fileURLToPath(new URL("../main.ts", import.meta.url));

/** The API as `pnpm dev` runs it: development, and the schema left to the migrations just deployed. */
function apiEnv(url: string): NodeJS.ProcessEnv {
  return {
    ...process.env,
    DATABASE_URL: url,
    NODE_ENV: process.env.NODE_ENV ?? "development",
    // The migrator owns the schema here; a push would drift from the migration history.
    CREATE_TABLES_ON_START: process.env.CREATE_TABLES_ON_START ?? "false",
  };
}

/** Starts the API in this process on a free port, asks /ready, stops it. */
async function smokeTest(url: string): Promise<number> {
  const config = loadConfig({ ...apiEnv(url), PORT: process.env.PORT ?? "0", LOG_LEVEL: process.env.LOG_LEVEL ?? "warn" });
  const logger = await createLogger({ level: config.logLevel, environment: config.environment });
  const api = await createApp({ databaseUrl: url, environment: config.environment, logger, createTablesOnStart: config.createTablesOnStart, poolSize: 2 });
  const server = await listen(api, { port: config.port, host: config.host, logger, shutdownTimeoutMs: 2000 });
  try {
    const response = await fetch(`${server.url}/ready`);
    say(`API: ${server.url} answered /ready with ${response.status}${response.ok ? "" : `: ${await response.text()}`}`);
    say("CI is set: the API was started once and stopped (without CI, `pnpm dev` keeps it running in watch mode).");
    return response.ok ? 0 : 1;
  } finally {
    await server.close();
  }
}

/** Runs the API under `tsx watch` until it exits (Ctrl-C reaches both through the terminal). */
function watch(url: string): Promise<number> {
  const tsx = createRequire(import.meta.url).resolve("tsx/cli");
  const child = spawn(process.execPath, [tsx, "watch", "--clear-screen=false", apiMain], { env: apiEnv(url), stdio: "inherit" });
  // The terminal sends SIGINT to the whole group: let the API drain, then exit with it.
  const ignore = () => {};
  process.on("SIGINT", ignore);
  process.on("SIGTERM", () => child.kill("SIGTERM"));
  return new Promise((resolve) => child.on("exit", (code, signal) => resolve(code ?? (signal ? 0 : 1))));
}

async function main(): Promise<number> {
  const envFile = path.join(process.env.INIT_CWD ?? process.cwd(), ".env");
  if (existsSync(envFile)) process.loadEnvFile(envFile);
  const admin = adminFromEnv();
  const { url } = await resolveDatabaseUrl();

  const deployed = await deployDevDatabase(url);
  if (deployed !== 0) return deployed;

  const db = createDb({ url, poolSize: 2, applicationName: "dev (seed)" });
  try {
    process.stdout.write(describeSeed(await seed(db, admin)));
  } finally {
    await db.$disconnect();
  }

  if (process.env.CI) return smokeTest(url);
  say("Starting the API in watch mode (Ctrl-C stops it; the database keeps running, `pnpm db:local stop` stops it)…");
  return watch(url);
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(error instanceof ConfigError ? 2 : 1);
  },
);
