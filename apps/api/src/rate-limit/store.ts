// Where request counters live. With REDIS_URL: in Redis (rate-limiter-flexible's atomic INCR + TTL
// script), so every replica shares one budget per caller. Without it: in this process's memory (each
// replica counts alone; fine for development). When Redis becomes unreachable the API keeps serving:
// failing "open", requests are counted in memory meanwhile (per replica) and served; failing "closed",
// they are refused with a 503. Outages and recoveries are logged once each, and health() feeds /ready.
import { Redis } from "ioredis";
import type { Logger } from "pino";
import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes, type RateLimiterAbstract } from "rate-limiter-flexible";
import { ApiError } from "../errors/api-error.ts";
import { redactUrl } from "@repo/redact";
import type { Budget } from "./budget.ts";

export type FailMode = "open" | "closed";

export interface RateLimitStoreOptions {
  /** Unset: counters in memory. */
  redisUrl?: string | undefined;
  /** Prefix of every Redis key (tests give each app its own). */
  keyPrefix: string;
  fail: FailMode;
  logger: Logger;
  /** How long start-up waits for Redis before serving anyway (default 2 s). */
  connectTimeoutMs?: number;
}

export interface Outcome {
  allowed: boolean;
  budget: Budget;
  remaining: number;
  /** Seconds until the period's counter starts again. */
  resetSeconds: number;
}

export interface RateLimitHealth {
  store: "redis" | "memory";
  ok: boolean;
  fail: FailMode;
  /** What the API does right now, in words. */
  detail: string;
  error?: string;
}

export interface RateLimitStore {
  /** Counts one request against `budget` under `key`. Throws RateLimitUnavailableError only when failing closed. */
  consume(key: string, budget: Budget): Promise<Outcome>;
  /** Forgets `key`'s count (a successful login clears its failures). */
  reset(key: string, budget: Budget): Promise<void>;
  health(): RateLimitHealth;
  close(): Promise<void>;
}

export class RateLimitUnavailableError extends ApiError {
  override readonly name = "RateLimitUnavailableError";
  constructor() {
    super(503, "RATE_LIMIT_UNAVAILABLE", "Requests cannot be counted right now (the rate-limit store is unreachable); try again shortly.");
  }
}

const outcome = (allowed: boolean, budget: Budget, res: RateLimiterRes): Outcome => ({
  allowed,
  budget,
  remaining: Math.max(0, res.remainingPoints),
  resetSeconds: Math.max(1, Math.ceil(res.msBeforeNext / 1000)),
});

/**
 * Counts one request on `limiter`: rate-limiter-flexible resolves under the budget and rejects with a
 * RateLimiterRes over it; any other rejection is the store failing, answered by `storeFailed`.
 */
const consumeOn = (limiter: RateLimiterAbstract, key: string, budget: Budget, storeFailed: (error: unknown) => Outcome): Promise<Outcome> =>
  limiter.consume(key).then(
    (res) => outcome(true, budget, res),
    (res: unknown) => (res instanceof RateLimiterRes ? outcome(false, budget, res) : storeFailed(res)),
  );

/** Builds the store; with Redis, waits (briefly) for the first connection so the first requests are shared. */
export async function createRateLimitStore(options: RateLimitStoreOptions): Promise<RateLimitStore> {
  const { logger, fail, keyPrefix } = options;
  const limiters = new Map<string, RateLimiterAbstract>();
  const memory = (budget: Budget) => new RateLimiterMemory({ points: budget.limit, duration: budget.periodSeconds, keyPrefix });

  if (!options.redisUrl) {
    logger.warn("REDIS_URL is not set: rate limits are counted in this process's memory, so each replica counts alone. Set REDIS_URL when running more than one.");
    const limiterFor = (budget: Budget) => {
      const id = `${budget.limit}/${budget.periodSeconds}`;
      let limiter = limiters.get(id);
      if (!limiter) limiters.set(id, (limiter = memory(budget)));
      return limiter;
    };
    return {
      consume: (key, budget) =>
        consumeOn(limiterFor(budget), key, budget, (error) => {
          throw error;
        }),
      reset: async (key, budget) => {
        await limiterFor(budget).delete(key);
      },
      health: () => ({ store: "memory", ok: true, fail, detail: "counting in this process's memory (REDIS_URL is not set)" }),
      close: async () => {},
    };
  }

  const shownUrl = redactUrl(options.redisUrl);
  const redis = new Redis(options.redisUrl, {
    // Fail fast instead of queueing while disconnected: a request must not wait for Redis to return.
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    connectTimeout: 2000,
    commandTimeout: 1000,
    retryStrategy: (attempt) => Math.min(attempt * 200, 2000),
  });
  let up = false;
  let lastError: string | undefined;
  redis.on("ready", () => {
    if (!up && lastError !== undefined) logger.info({ redis: shownUrl }, "Redis is reachable again: rate limits are shared across replicas again");
    up = true;
    lastError = undefined;
  });
  const down = (error?: Error) => {
    const message = error?.message || "connection closed";
    if (up || lastError === undefined) {
      logger.warn(
        { redis: shownUrl, error: message, fail },
        fail === "open"
          ? "Redis is unreachable: serving requests anyway (RATE_LIMIT_FAIL=open), counting them in this process's memory until it is back"
          : "Redis is unreachable: refusing rate-limited requests with 503 (RATE_LIMIT_FAIL=closed) until it is back",
      );
    }
    up = false;
    lastError = message;
  };
  redis.on("error", (error: Error) => down(error));
  redis.on("close", () => {
    if (up) down();
  });

  // Start-up waits for the first connection, up to a limit: an unreachable Redis must not stop the API.
  await new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, options.connectTimeoutMs ?? 2000);
    const settle = () => {
      clearTimeout(timer);
      redis.off("ready", settle);
      resolve();
    };
    redis.on("ready", settle);
    if (redis.status === "ready") settle();
  });
  if (!up) down(lastError ? new Error(lastError) : new Error("not connected within the start-up wait"));

  const limiterFor = (budget: Budget) => {
    const id = `${budget.limit}/${budget.periodSeconds}`;
    let limiter = limiters.get(id);
    if (!limiter) {
      limiter = new RateLimiterRedis({
        storeClient: redis,
        points: budget.limit,
        duration: budget.periodSeconds,
        keyPrefix,
        rejectIfRedisNotReady: true,
        ...(fail === "open" ? { insuranceLimiter: memory(budget) } : {}),
      });
      limiters.set(id, limiter);
    }
    return limiter;
  };

  return {
    consume: (key, budget) =>
      consumeOn(limiterFor(budget), key, budget, (error) => {
        if (error instanceof Error) down(error);
        if (fail === "closed") throw new RateLimitUnavailableError();
        return { allowed: true, budget, remaining: budget.limit, resetSeconds: budget.periodSeconds };
      }),
    reset: async (key, budget) => {
      await limiterFor(budget)
        .delete(key)
        .catch(() => false);
    },
    health: () =>
      up
        ? { store: "redis", ok: true, fail, detail: "counting in Redis, shared by every replica" }
        : {
            store: "redis",
            ok: false,
            fail,
            detail:
              fail === "open"
                ? "Redis is unreachable: serving requests, counted in this process's memory until it is back (RATE_LIMIT_FAIL=open)"
                : "Redis is unreachable: refusing rate-limited requests with 503 until it is back (RATE_LIMIT_FAIL=closed)",
            ...(lastError ? { error: lastError } : {}),
          },
    close: () => {
      redis.disconnect();
      return Promise.resolve();
    },
  };
}
