// createTablesOnStart, the seed's create_tables_on_start: on, the app pushes the schema at start-up
// (no migration history) and /ready asks only that the database answers; off, it touches no table.
import { afterEach, describe, expect, it } from "vitest";
import { createApp } from "../src/app.ts";
import type { Readiness } from "../src/readiness/readiness.ts";
import { superuser } from "./auth-helpers.ts";
import { FAST_SCRYPT, memoryLogger, sqlOn, testApi, testDatabase, type LogLine, type TestApi } from "./helpers.ts";

const disposers: (() => Promise<void>)[] = [];
afterEach(async () => {
  await Promise.all(disposers.splice(0).map((dispose) => dispose()));
});
const tablesOf = async (url: string) =>
  (await sqlOn<{ name: string }>(url, "SELECT tablename AS name FROM pg_tables WHERE schemaname = 'public' ORDER BY 1")).map((row) => row.name);

describe("createTablesOnStart on", () => {
  it("brings an empty database to the schema before serving, without migration history, and is ready", async () => {
    const api: TestApi = await testApi({ database: "empty", createTablesOnStart: true });
    disposers.push(() => api.dispose());
    expect(await tablesOf(api.url)).toEqual(["category", "post", "rate_limit", "tier", "token_blacklist", "user"]);
    expect(api.logs.find((line) => line.msg === "schema pushed (createTablesOnStart)")).toBeDefined();

    const ready = await api.call<Readiness>("GET", "/ready");
    expect(ready.status).toBe(200);
    expect(ready.body).toEqual({
      status: "ready",
      database: { ok: true, latencyMs: expect.any(Number) },
      schema: { mode: "push", ok: true, pushedAt: expect.any(String) },
      dataMigrations: { ok: true, checked: false, pending: [], failed: [], edited: [], missing: [] },
      rateLimit: { store: "memory", ok: true, fail: "open", detail: expect.any(String) },
    });
    expect((await (await superuser(api)).call("POST", "/tiers", { name: "pushed" })).status).toBe(201);

    // A restart on the same database pushes again: nothing changes, no row is lost.
    const again = await createApp({ databaseUrl: api.url, environment: "test", logger: memoryLogger([]), createTablesOnStart: true, scrypt: FAST_SCRYPT });
    disposers.push(() => again.close());
    expect(await sqlOn(api.url, "SELECT name FROM tier")).toEqual([{ name: "pushed" }]);
  });

  it("refuses to start, changing nothing, when the push would lose data", async () => {
    const database = await testDatabase("empty");
    disposers.push(() => database.drop());
    await sqlOn(database.url, "CREATE TABLE keepsake (note text); INSERT INTO keepsake VALUES ('precious')");
    const start = createApp({ databaseUrl: database.url, environment: "test", logger: memoryLogger([]), createTablesOnStart: true, scrypt: FAST_SCRYPT });
    await expect(start).rejects.toThrow(/CREATE_TABLES_ON_START: pushing the schema failed:[\s\S]*keepsake/);
    expect(await sqlOn(database.url, "SELECT note FROM keepsake")).toEqual([{ note: "precious" }]);
    expect(await tablesOf(database.url)).toEqual(["keepsake"]);
  });

  it("warns loudly when turned on in production", async () => {
    const logs: LogLine[] = [];
    const api = await createApp({
      databaseUrl: "postgresql://postgres@127.0.0.1:1/unused",
      environment: "production",
      logger: memoryLogger(logs),
      createTablesOnStart: true,
      loadSchemaPusher: async () => ({ pushSchema: async () => undefined }),
      auth: { jwtSecret: "a-production-secret-of-at-least-32-bytes!" },
    });
    disposers.push(() => api.close());
    const warning = logs.find((line) => line.level === 40);
    expect(warning?.msg).toMatch(/^CREATE_TABLES_ON_START is on in production\. .*migrator/);
  });

  it("fails with a clear message when the schema-push tooling is not installed (a production build)", async () => {
    const start = createApp({
      databaseUrl: "postgresql://postgres@127.0.0.1:1/unused",
      environment: "production",
      logger: memoryLogger([]),
      createTablesOnStart: true,
      loadSchemaPusher: () => Promise.reject(new Error("Cannot find package '@repo/prisma-engine'")),
    });
    await expect(start).rejects.toThrow(/@repo\/prisma-engine could not be loaded.*Set CREATE_TABLES_ON_START=false/s);
  });
});

describe("createTablesOnStart off", () => {
  it("creates no table, and /ready reports the migrations still to apply", async () => {
    const api = await testApi({ database: "empty", createTablesOnStart: false });
    disposers.push(() => api.dispose());
    expect((await api.call("GET", "/ready")).status).toBe(503);
    expect(await tablesOf(api.url)).toEqual([]);
  });
});
