// Per-tier rate limits counted in Redis (the machine's at 127.0.0.1:6379, each test under keys of its
// own), shared by app instances; a default budget for anonymous callers; and a Redis stopped mid-test
// (a throwaway one on its own port) failing open or closed as configured, never with a 500.
import { randomUUID } from "node:crypto";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { createApp, type ApiReadiness } from "../src/app.ts";
import { login, session, superuser } from "./auth-helpers.ts";
import { callApp, FAST_SCRYPT, memoryLogger, TEST_JWT_SECRET, testApi, type LogLine, type TestApi } from "./helpers.ts";
import { canStartRedis, redisAnswers, startRedis, type ThrowawayRedis } from "./redis-server.ts";

// The Redis the counting tests share: TEST_REDIS_URL or the machine's, else a throwaway one when
// redis-server is installed. A machine with neither (the quick start needs only Node.js) skips these
// tests, saying why; CI, which has Redis, fails instead of skipping.
const WANTED_REDIS = process.env.TEST_REDIS_URL ?? "redis://127.0.0.1:6379";
const startable = canStartRedis();
let SHARED_REDIS = WANTED_REDIS;
if (!(await redisAnswers(WANTED_REDIS)) && startable) {
  const throwaway = await startRedis();
  afterAll(() => throwaway.kill());
  SHARED_REDIS = throwaway.url;
}
const missing = (await redisAnswers(SHARED_REDIS)) ? undefined : `no Redis answers at ${WANTED_REDIS} and redis-server (REDIS_SERVER) is not installed`;
const missingServer = startable ? undefined : "redis-server (REDIS_SERVER) is not installed";
for (const reason of [missing, missingServer]) {
  if (reason && process.env.CI) throw new Error(`The rate-limit tests need Redis: ${reason}.`);
  if (reason) process.stderr.write(`rate-limit.test.ts: skipping tests that need Redis (${reason}); set TEST_REDIS_URL or install redis-server.\n`);
}
/** Groups that count in the shared Redis, and those that start and stop a Redis of their own. */
const withRedis = describe.skipIf(missing !== undefined);
const withRedisServer = describe.skipIf(missingServer !== undefined);

interface ErrorBody {
  error: { code: string; message: string };
}

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});
async function app(options: Parameters<typeof testApi>[0] = {}): Promise<TestApi> {
  const api = await testApi(options);
  cleanups.push(() => api.dispose());
  return api;
}
const prefix = () => `test:api:${randomUUID()}`;

/** A second instance of the API on `api`'s database (another replica), closed after the test. */
async function replica(api: TestApi, options: Pick<Parameters<typeof createApp>[0], "redisUrl" | "rateLimit"> = {}) {
  const instance = await createApp({ databaseUrl: api.url, environment: "test", logger: memoryLogger([]), createTablesOnStart: false, scrypt: FAST_SCRYPT, poolSize: 2, auth: { jwtSecret: TEST_JWT_SECRET }, ...options });
  cleanups.push(() => instance.close());
  return instance;
}

/** A superuser, a tier with `limit` requests per minute on `path`, and a member of that tier, signed in. */
async function tierWithLimit(api: TestApi, path: string, limit: number) {
  const admin = await superuser(api);
  const tier = (await admin.call<{ id: number }>("POST", "/tiers", { name: `tier-${randomUUID().slice(0, 8)}` })).body.id;
  expect((await admin.call("POST", "/rate-limits", { tierId: tier, name: `limit-${randomUUID().slice(0, 8)}`, path, limit, period: 60 })).status).toBe(201);
  const member = await session(api, { tierId: tier });
  return { admin, tier, member };
}

withRedis("per-tier limits", () => {
  it("allow the tier's limit on the row's path, then answer 429 with Retry-After and RateLimit headers; other paths are not counted by that row", async () => {
    const api = await app({ redisUrl: SHARED_REDIS, rateLimit: { keyPrefix: prefix(), defaultBudget: null } });
    const { member } = await tierWithLimit(api, "/posts", 3);
    for (let i = 1; i <= 3; i++) {
      const response = await member.call("GET", i === 2 ? "/posts/999999" : "/posts");
      expect(response.status).toBeLessThan(429);
      expect(response.headers.get("ratelimit-limit")).toBe("3");
      expect(response.headers.get("ratelimit-remaining")).toBe(String(3 - i));
      expect(response.headers.get("ratelimit-policy")).toBe("3;w=60");
    }
    const refused = await member.call<ErrorBody>("GET", "/posts");
    expect(refused.status).toBe(429);
    expect(refused.body.error.code).toBe("RATE_LIMITED");
    expect(refused.body.error.message).toMatch(/allows 3 per 60 s/);
    expect(Number(refused.headers.get("retry-after"))).toBeGreaterThan(0);
    expect(Number(refused.headers.get("retry-after"))).toBeLessThanOrEqual(60);
    expect(refused.headers.get("ratelimit-remaining")).toBe("0");
    // Not covered by the row, and no default budget: not limited.
    expect((await member.call("GET", "/categories")).status).toBe(200);
    expect((await member.call("GET", "/categories")).headers.get("ratelimit-limit")).toBeNull();
  });

  it("count each user separately, and follow a change to the rows at once", async () => {
    const api = await app({ redisUrl: SHARED_REDIS, rateLimit: { keyPrefix: prefix(), defaultBudget: null } });
    const { admin, tier, member } = await tierWithLimit(api, "/posts", 1);
    const colleague = await session(api, { tierId: tier });
    expect((await member.call("GET", "/posts")).status).toBe(200);
    expect((await member.call("GET", "/posts")).status).toBe(429);
    expect((await colleague.call("GET", "/posts")).status).toBe(200);
    const [row] = (await admin.call<{ data: { id: number }[] }>("GET", `/rate-limits?tierId=${tier}`)).body.data;
    expect((await admin.call("PATCH", `/rate-limits/${row?.id}`, { limit: 5 })).status).toBe(200);
    expect((await member.call("GET", "/posts")).status).toBe(200);
  });
});

withRedis("the default budget", () => {
  it("limits anonymous callers per address (behind a trusted proxy: X-Forwarded-For's last entry), and users of a tier without a matching row", async () => {
    const api = await app({ redisUrl: SHARED_REDIS, rateLimit: { keyPrefix: prefix(), defaultBudget: { limit: 2, periodSeconds: 60 }, trustProxy: true } });
    const from = (address: string) => ({ "x-forwarded-for": `6.6.6.6, ${address}` });
    expect((await api.call("GET", "/posts", undefined, from("10.0.0.1"))).status).toBe(200);
    expect((await api.call("GET", "/categories", undefined, from("10.0.0.1"))).status).toBe(200);
    const refused = await api.call<ErrorBody>("GET", "/posts", undefined, from("10.0.0.1"));
    expect(refused.status).toBe(429);
    expect(refused.body.error.message).toMatch(/the default rate limit allows 2 per 60 s/);
    expect((await api.call("GET", "/posts", undefined, from("10.0.0.2"))).status).toBe(200);
    // Probes are never counted.
    for (let i = 0; i < 3; i++) expect((await api.call("GET", "/health", undefined, from("10.0.0.1"))).status).toBe(200);

    // Sign-up and sign-in count against the default budget too: each user from an address of its own.
    const admin = await session(api, { superuser: true, headers: from("10.0.1.1") });
    const tier = (await admin.call<{ id: number }>("POST", "/tiers", { name: "other-paths" })).body.id;
    await admin.call("POST", "/rate-limits", { tierId: tier, name: "only-categories", path: "/categories", limit: 50, period: 60 });
    const member = await session(api, { tierId: tier, headers: from("10.0.1.2") });
    expect((await member.call("GET", "/posts")).headers.get("ratelimit-limit")).toBe("2");
    expect((await member.call("GET", "/categories")).headers.get("ratelimit-limit")).toBe("50");
  });
});

withRedis("two app instances sharing one Redis", () => {
  it("enforce one budget together: the N+1th request across both is refused", async () => {
    const keyPrefix = prefix();
    const a = await app({ redisUrl: SHARED_REDIS, rateLimit: { keyPrefix, defaultBudget: null } });
    const b = await replica(a, { redisUrl: SHARED_REDIS, rateLimit: { keyPrefix, defaultBudget: null } });
    const { member } = await tierWithLimit(a, "/posts", 4);
    const statuses: number[] = [];
    for (let i = 0; i < 5; i++) {
      const instance = i % 2 === 0 ? a.app : b.app;
      statuses.push((await callApp(instance, "GET", "/posts", undefined, member.headers)).status);
    }
    expect(statuses).toEqual([200, 200, 200, 200, 429]);
    expect((await callApp(b.app, "GET", "/posts", undefined, member.headers)).status).toBe(429);
  });

});

describe("two app instances without Redis", () => {
  it("each count alone (why REDIS_URL matters with replicas)", async () => {
    const a = await app({ rateLimit: { defaultBudget: null } });
    const b = await replica(a);
    expect(a.logs.find((line) => line.level === 40 && /REDIS_URL is not set/.test(line.msg))).toBeDefined();
    const { member } = await tierWithLimit(a, "/posts", 2);
    const statuses: number[] = [];
    for (let i = 0; i < 4; i++) statuses.push((await callApp(i % 2 === 0 ? a.app : b.app, "GET", "/posts", undefined, member.headers)).status);
    expect(statuses).toEqual([200, 200, 200, 200]);
  });
});

withRedisServer("Redis stopped mid-test", () => {
  let redis: ThrowawayRedis;
  const start = async (fail: "open" | "closed") => {
    redis = await startRedis();
    cleanups.push(() => redis.kill());
    const api = await app({ redisUrl: redis.url, rateLimit: { keyPrefix: prefix(), defaultBudget: null, fail } });
    const { member } = await tierWithLimit(api, "/posts", 3);
    return { api, member };
  };
  /** Polls /ready until Redis shows as `ok` (a state, not a sleep). */
  const readyUntil = async (api: TestApi, ok: boolean) => {
    for (let i = 0; i < 200; i++) {
      const response = await api.call<ApiReadiness>("GET", "/ready");
      if (response.body.rateLimit?.ok === ok) return response;
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
    throw new Error(`/ready never showed rateLimit.ok = ${ok}`);
  };

  it("failing open: keeps serving (counting in memory), says so in the logs and in /ready, which stays 200", async () => {
    const { api, member } = await start("open");
    expect((await member.call("GET", "/posts")).status).toBe(200);
    expect((await api.call<ApiReadiness>("GET", "/ready")).body.rateLimit).toMatchObject({ store: "redis", ok: true, fail: "open" });

    await redis.kill();
    const ready = await readyUntil(api, false);
    expect(ready.status).toBe(200);
    expect(ready.body.rateLimit).toMatchObject({ store: "redis", ok: false, fail: "open", detail: expect.stringMatching(/serving requests/) });
    const statuses: number[] = [];
    for (let i = 0; i < 4; i++) statuses.push((await member.call("GET", "/posts")).status);
    // Served, and still limited per process meanwhile: 3 per minute counted afresh in memory.
    expect(statuses).toEqual([200, 200, 200, 429]);
    const warnings = api.logs.filter((line: LogLine) => line.level === 40 && /Redis is unreachable/.test(line.msg));
    expect(warnings).toHaveLength(1);
    expect(api.logs.filter((line: LogLine) => line.level >= 50)).toEqual([]);

    // Back on the same port: shared counting resumes.
    redis = await startRedis(redis.port);
    cleanups.push(() => redis.kill());
    await readyUntil(api, true);
    expect(api.logs.some((line: LogLine) => /Redis is reachable again/.test(line.msg))).toBe(true);
  });

  it("failing closed: answers 503 RATE_LIMIT_UNAVAILABLE (never 500), /ready 503, and recovers when Redis is back", async () => {
    const { api, member } = await start("closed");
    expect((await member.call("GET", "/posts")).status).toBe(200);
    await redis.kill();
    const ready = await readyUntil(api, false);
    expect(ready.status).toBe(503);
    expect(ready.body.rateLimit).toMatchObject({ ok: false, fail: "closed", error: expect.any(String) });
    const refused = await member.call<ErrorBody>("GET", "/posts");
    expect(refused.status).toBe(503);
    expect(refused.body.error.code).toBe("RATE_LIMIT_UNAVAILABLE");
    // Routes no budget covers, and probes, still answer.
    expect((await api.call("GET", "/health")).status).toBe(200);

    redis = await startRedis(redis.port);
    cleanups.push(() => redis.kill());
    expect((await readyUntil(api, true)).status).toBe(200);
    expect((await member.call("GET", "/posts")).status).toBe(200);
  });
});

withRedis("login attempts", () => {
  it("are counted in Redis too, so replicas share the brute-force budget", async () => {
    const keyPrefix = prefix();
    const a = await app({ redisUrl: SHARED_REDIS, rateLimit: { keyPrefix, defaultBudget: null, login: { limit: 2, periodSeconds: 60 } } });
    const b = await replica(a, { redisUrl: SHARED_REDIS, rateLimit: { keyPrefix, defaultBudget: null, login: { limit: 2, periodSeconds: 60 } } });
    const victim = await session(a);
    const attempt = (instance: TestApi["app"]) => callApp(instance, "POST", "/login", { username: victim.username, password: "guess" });
    expect((await attempt(a.app)).status).toBe(401);
    expect((await attempt(b.app)).status).toBe(401);
    expect((await attempt(a.app)).status).toBe(429);
    await expect(login(a, victim.username, victim.password)).rejects.toThrow(/429/);
  });
});
