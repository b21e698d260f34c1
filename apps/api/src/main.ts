// The API process: configuration, logger, app, socket, and a graceful exit on SIGTERM or SIGINT.
// The only place in the API that calls process.exit. Exit codes: 0 stopped cleanly, 1 could not start
// (database, schema push, port) or crashed, 2 invalid configuration.
import { existsSync } from "node:fs";
import path from "node:path";
import { redactUrl } from "@repo/redact";
import { createApp } from "./app.ts";
import { ConfigError, loadConfig } from "./config.ts";
import { createLogger, wantsPrettyLogs } from "./logger.ts";
import { listen } from "./server.ts";

const ExitCode = { ok: 0, failed: 1, config: 2 } as const;

// A .env in the folder the command was run from (pnpm runs scripts elsewhere; INIT_CWD says where).
// Variables already set win over the file.
const envFile = path.join(process.env.INIT_CWD ?? process.cwd(), ".env");
if (existsSync(envFile)) process.loadEnvFile(envFile);

let config;
try {
  config = loadConfig(process.env, process.env.INIT_CWD ?? process.cwd());
} catch (error) {
  if (!(error instanceof ConfigError)) throw error;
  process.stderr.write(`${error.message}\n`);
  process.exit(ExitCode.config);
}

const logger = await createLogger({ level: config.logLevel, environment: config.environment, pretty: wantsPrettyLogs(config.environment), noColor: config.noColor });
const fail = (error: unknown, message: string) => {
  logger.fatal({ err: error }, message);
  logger.flush();
  process.exit(ExitCode.failed);
};
process.on("uncaughtException", (error) => fail(error, "uncaught exception"));
process.on("unhandledRejection", (error) => fail(error, "unhandled rejection"));

try {
  logger.info(
    { database: redactUrl(config.databaseUrl), createTablesOnStart: config.createTablesOnStart, redis: config.redisUrl ? redactUrl(config.redisUrl) : undefined },
    "starting",
  );
  const api = await createApp({
    databaseUrl: config.databaseUrl,
    environment: config.environment,
    logger,
    createTablesOnStart: config.createTablesOnStart,
    poolSize: config.databasePoolSize,
    migrationsDir: config.migrationsDir,
    dataMigrationsDir: config.dataMigrationsDir,
    bodyLimitBytes: config.bodyLimitBytes,
    auth: config.auth,
    corsOrigins: config.corsOrigins,
    redisUrl: config.redisUrl,
    rateLimit: { defaultBudget: config.rateLimit.defaultBudget ?? null, fail: config.rateLimit.fail, login: config.rateLimit.login, trustProxy: config.trustProxy },
  });
  const server = await listen(api, { port: config.port, host: config.host, logger, shutdownTimeoutMs: config.shutdownTimeoutMs });
  logger.info({ url: server.url }, `API listening on ${server.url} (docs: ${server.url}/docs, readiness: ${server.url}/ready)`);

  let stopping = false;
  const stop = (signal: NodeJS.Signals) => {
    // A second signal means "now": skip the drain.
    if (stopping) {
      logger.warn({ signal }, "second signal: exiting without draining");
      logger.flush();
      process.exit(ExitCode.failed);
    }
    stopping = true;
    logger.info({ signal }, "signal received");
    server.close().then(
      () => {
        logger.flush();
        process.exit(ExitCode.ok);
      },
      (error: unknown) => fail(error, "shutdown failed"),
    );
  };
  process.on("SIGTERM", stop);
  process.on("SIGINT", stop);
} catch (error) {
  fail(error, error instanceof Error ? error.message : "start-up failed");
}
