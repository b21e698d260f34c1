import { randomBytes } from "node:crypto";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  createTemplateDatabase,
  createTestDatabase,
  dropTemplateDatabase,
  startEphemeralServer,
  TestDatabaseError,
} from "../src/index.ts";
import { configuredServerUrl, query } from "./helpers.ts";

// The same specification against the shared server (TEST_DATABASE_URL or 127.0.0.1:5432) and
// against a throwaway embedded one.
describe.each([
  { server: "the configured server", start: async () => ({ url: configuredServerUrl, stop: async () => undefined }) },
  {
    server: "an ephemeral embedded server",
    start: async () => startEphemeralServer({ log: () => undefined }),
  },
])("test databases on $server", ({ start }) => {
  let serverUrl: string;
  let stop: () => Promise<void>;
  // Unique per run, so parallel runs against a shared server never share a template.
  const template = `tpl_${randomBytes(4).toString("hex")}`;

  beforeAll(async () => {
    ({ url: serverUrl, stop } = await start());
  });

  afterAll(async () => {
    await dropTemplateDatabase(serverUrl, template);
    await stop();
  });

  it("creates an empty, uniquely named database reachable at its URL", async () => {
    const [a, b] = await Promise.all([createTestDatabase(serverUrl), createTestDatabase(serverUrl)]);
    try {
      expect(a.name).toMatch(/^test_[a-z0-9]+_[0-9a-f]{8}$/);
      expect(a.name).not.toBe(b.name);
      expect(await query(a.url, "SELECT current_database() AS db")).toEqual([{ db: a.name }]);
      expect(await query(a.url, "SELECT count(*)::int AS n FROM pg_tables WHERE schemaname = 'public'")).toEqual([{ n: 0 }]);
    } finally {
      await Promise.all([a.drop(), b.drop()]);
    }
  });

  it("uses the given prefix and rejects one that would need quoting", async () => {
    const db = await createTestDatabase(serverUrl, { prefix: "orders_" });
    await db.drop();
    expect(db.name.startsWith("orders_")).toBe(true);
    await expect(createTestDatabase(serverUrl, { prefix: "Bad-Prefix" })).rejects.toMatchObject({ code: "INVALID_NAME" });
  });

  it("drops the database even while a session is still connected to it", async () => {
    const db = await createTestDatabase(serverUrl);
    const client = new pg.Client({ connectionString: db.url });
    client.on("error", () => undefined); // the forced drop terminates this session
    await client.connect();
    await db.drop();
    expect(await query(serverUrl, `SELECT count(*)::int AS n FROM pg_database WHERE datname = '${db.name}'`)).toEqual([{ n: 0 }]);
    await client.end().catch(() => undefined);
    await db.drop(); // dropping twice is harmless
  });

  it("builds a template once, even when parallel workers ask at the same time", async () => {
    let populations = 0;
    const populate = async (url: string) => {
      populations++;
      // A connection left open on purpose: the template must still be clonable.
      const leftOpen = new pg.Client({ connectionString: url });
      leftOpen.on("error", () => undefined);
      await leftOpen.connect();
      await leftOpen.query("CREATE TABLE item (id int PRIMARY KEY, name text); INSERT INTO item VALUES (1, 'seed')");
    };
    const results = await Promise.all([1, 2, 3].map(() => createTemplateDatabase(serverUrl, template, populate)));

    expect(populations).toBe(1);
    expect(results.map((r) => r.created).sort()).toEqual([false, false, true]);
    expect(await query(serverUrl, `SELECT datistemplate FROM pg_database WHERE datname = '${template}'`)).toEqual([
      { datistemplate: true },
    ]);
  });

  it("clones the template into independent test databases", async () => {
    await createTemplateDatabase(serverUrl, template, async () => {
      throw new Error("populate must not run again once the template exists");
    });
    const [a, b] = await Promise.all([
      createTestDatabase(serverUrl, { template }),
      createTestDatabase(serverUrl, { template }),
    ]);
    try {
      expect(await query(a.url, "SELECT id, name FROM item")).toEqual([{ id: 1, name: "seed" }]);
      await query(a.url, "INSERT INTO item VALUES (2, 'only in a')");
      expect(await query(b.url, "SELECT count(*)::int AS n FROM item")).toEqual([{ n: 1 }]);
    } finally {
      await Promise.all([a.drop(), b.drop()]);
    }
  });

  it("reports a failing populate as TEMPLATE_FAILED and leaves no half-built template", async () => {
    const broken = `tpl_broken_${randomBytes(4).toString("hex")}`;
    const error = await createTemplateDatabase(serverUrl, broken, async (url) => {
      await query(url, "SELECT * FROM no_such_table");
    }).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(TestDatabaseError);
    expect(error).toMatchObject({ code: "TEMPLATE_FAILED" });
    expect(await query(serverUrl, `SELECT count(*)::int AS n FROM pg_database WHERE datname = '${broken}'`)).toEqual([{ n: 0 }]);
  });

  it("rebuilds a template whose earlier build never finished", async () => {
    const name = `tpl_half_${randomBytes(4).toString("hex")}`;
    await query(serverUrl, `CREATE DATABASE ${name}`); // as if a worker crashed mid-populate
    try {
      const result = await createTemplateDatabase(serverUrl, name, async (url) => {
        await query(url, "CREATE TABLE rebuilt (id int)");
      });
      expect(result.created).toBe(true);
      expect(await query(result.url, "SELECT count(*)::int AS n FROM rebuilt")).toEqual([{ n: 0 }]);
    } finally {
      await dropTemplateDatabase(serverUrl, name);
    }
  });
});
