// The benchmark's server process: the app as production runs it (JSON request logs at LOG_LEVEL, info
// by default) with the raw-pg floor mounted beside it, on a free loopback port. Reports {"url", "node"}
// (its URL and Node.js version) on the IPC channel once listening (stdout carries the logs), answers
// {"cpu": true} with its CPU time so far ({"cpuMicros": …}, user + system); stops on SIGTERM.
import { randomBytes } from "node:crypto";
import { createApp } from "../src/app.ts";
import { createLogger } from "../src/logger.ts";
import { listen } from "../src/server.ts";
import { mountRawPosts } from "./raw-posts.ts";

const url = process.env.DATABASE_URL;
if (!url) throw new Error("bench/server.ts needs DATABASE_URL");
const poolSize = Number(process.env.DATABASE_POOL_SIZE ?? 10);

const logger = await createLogger({ level: (process.env.LOG_LEVEL as "info" | undefined) ?? "info", environment: "production" });
// GET /posts is public; the anonymous budget is set far above what a run sends, so the limiter runs
// (its cost is measured, in memory as without REDIS_URL) but never answers 429.
const api = await createApp({
  databaseUrl: url,
  environment: "production",
  logger,
  createTablesOnStart: false,
  poolSize,
  auth: { jwtSecret: randomBytes(48).toString("base64url") },
  rateLimit: { defaultBudget: { limit: 1_000_000_000, periodSeconds: 3600 } },
});
const pool = mountRawPosts(api.app, url, poolSize);
const server = await listen(api, { port: 0, host: "127.0.0.1", logger, shutdownTimeoutMs: 2000 });
process.send?.({ url: server.url, node: process.version });
process.on("message", (message: { cpu?: boolean }) => {
  if (message.cpu) {
    const { user, system } = process.cpuUsage();
    process.send?.({ cpuMicros: user + system });
  }
});

process.on("SIGTERM", () => {
  void Promise.all([server.close(), pool.end()]).then(() => process.exit(0));
});
