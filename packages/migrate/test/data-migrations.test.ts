// Data migrations: anchored order with schema migrations, records, batched backfills that process
// every row exactly once across failures and stops, rollbacks, and refusals.
import { mkdir, writeFile } from "node:fs/promises";
import path from "node:path";
import pg from "pg";
import { describe, expect, it, onTestFinished } from "vitest";
import { ChecksumMismatchError, deploy, down, getHistory, getStatus, InterruptedError, NoDownScriptError, plan } from "../src/index.ts";
import { project, type Project } from "./helpers.ts";

/** A project with a data-migrations folder; `data(name, source)` writes one (plain objects: no imports needed). */
async function withData(): Promise<Project & { data(name: string, source: string): Promise<void> }> {
  const p = await project();
  const dir = path.join(p.dir, "..", `${path.basename(p.dir)}-data`);
  await mkdir(dir, { recursive: true });
  p.options.dataMigrationsDir = dir;
  return Object.assign(p, { data: (name: string, source: string) => writeFile(path.join(dir, `${name}.ts`), source) });
}

const S1 = "20240101000000_posts";
const S2 = "20240102000000_category_not_null";

/** posts(id, category_id NULL, touched): `touched` counts how many times a row was processed. */
async function postsWith(p: Project, rows: number) {
  await p.write(S1, "CREATE TABLE posts (id serial PRIMARY KEY, category_id int, touched int NOT NULL DEFAULT 0);\n", "DROP TABLE posts;\n");
  await deploy({ ...p.options, dataMigrationsDir: undefined });
  await p.sql(`INSERT INTO posts (category_id) SELECT NULL FROM generate_series(1, ${rows})`);
}

const backfill = (options: { failAt?: number; transaction?: boolean; extra?: string } = {}) => `export default {
  anchor: "${S1}",
  transaction: ${options.transaction ?? false},
  async up({ batch, sql }) {
    ${options.extra ?? ""}
    await batch({
      table: "posts", key: "id", where: "category_id IS NULL", initialBatchSize: 100, targetBatchMs: 50,
      async apply(tx, range) {
        ${options.failAt ? `if (range.after === null ? false : Number(range.after) < ${options.failAt} && Number(range.upTo) >= ${options.failAt}) throw new Error("boom at ${options.failAt}");` : ""}
        const r = await tx.query("UPDATE posts SET category_id = 1, touched = touched + 1 WHERE id > COALESCE($1::int, 0) AND id <= $2::int AND category_id IS NULL", [range.after, range.upTo]);
        return r.rowCount;
      },
    });
  },
  async down({ sql }) {
    await sql.query("UPDATE posts SET category_id = NULL");
  },
};
`;

describe("data migrations", () => {
  it("run after their anchor and before later schema migrations, in one timeline with history", async () => {
    const p = await withData();
    await postsWith(p, 1000);
    await p.data("20240101120000_backfill", backfill());
    await p.write(S2, "ALTER TABLE posts ALTER COLUMN category_id SET NOT NULL;\n", "ALTER TABLE posts ALTER COLUMN category_id DROP NOT NULL;\n");
    const status = await getStatus(p.options);
    expect(status.timeline.map((e) => [e.kind, e.name, e.state])).toEqual([
      ["schema", S1, "applied"],
      ["data", "20240101120000_backfill", "pending"],
      ["schema", S2, "pending"],
    ]);
    const result = await deploy(p.options);
    expect(result.ok, result.steps.at(-1)?.error?.message).toBe(true);
    expect(result.steps.map((s) => [s.kind, s.name])).toEqual([["data", "20240101120000_backfill"], ["schema", S2]]);
    expect(await p.sql("SELECT count(*)::int AS n FROM posts WHERE touched <> 1")).toEqual([{ n: 0 }]);
    const record = await p.sql<{ status: string; rows_done: string; rows_estimate: string; anchor: string }>("SELECT status, rows_done::text, rows_estimate::text, anchor FROM _data_migrations");
    expect(record).toEqual([{ status: "applied", rows_done: "1000", rows_estimate: "1000", anchor: S1 }]);
    expect((await getHistory(p.options)).map((h) => [h.kind, h.name, h.outcome])).toEqual([
      ["schema", S1, "applied"],
      ["data", "20240101120000_backfill", "applied"],
      ["schema", S2, "applied"],
    ]);
    expect(p.events.some((e) => e.fields?.event === "progress")).toBe(true);
  });

  it("bring a database several releases behind to head in expand → backfill → contract order", async () => {
    const p = await withData();
    await p.write(S1, "CREATE TABLE posts (id serial PRIMARY KEY, category_id int, touched int NOT NULL DEFAULT 0);\nINSERT INTO posts (category_id) SELECT NULL FROM generate_series(1, 500);\n");
    await p.data("20240101120000_backfill", backfill());
    await p.write(S2, "ALTER TABLE posts ALTER COLUMN category_id SET NOT NULL;\n");
    const result = await deploy(p.options);
    expect(result.ok, result.steps.at(-1)?.error?.message).toBe(true);
    expect(result.steps.map((s) => s.name)).toEqual([S1, "20240101120000_backfill", S2]);
  });

  it("refuses an anchor that is not a schema migration", async () => {
    const p = await withData();
    await p.write(S1, "SELECT 1;\n");
    await p.data("20240101120000_lost", 'export default { anchor: "20230101000000_nope", async up() {} };\n');
    await expect(getStatus(p.options)).rejects.toMatchObject({ code: "UNKNOWN_ANCHOR", message: expect.stringContaining("20230101000000_nope") });
  });

  it("a throwing batch is rolled back, earlier batches stay, status says failed; the fixed file resumes without redoing rows", async () => {
    const p = await withData();
    await postsWith(p, 2000);
    await p.data("20240101120000_backfill", backfill({ failAt: 1500 }));
    const failed = await deploy(p.options);
    expect(failed.ok).toBe(false);
    expect(failed.steps[0]?.error?.message).toContain("boom at 1500");
    const done = await p.sql<{ n: number }>("SELECT count(*)::int AS n FROM posts WHERE touched = 1");
    expect(done[0]?.n).toBeGreaterThan(0);
    expect(done[0]?.n).toBeLessThan(1500);
    const status = await getStatus(p.options);
    expect(status.data[0]).toMatchObject({ state: "failed", record: { lastError: expect.stringContaining("boom at 1500") } });

    await p.data("20240101120000_backfill", backfill());
    const resumed = await deploy(p.options);
    expect(resumed.ok, resumed.steps[0]?.error?.message).toBe(true);
    expect(await p.sql("SELECT touched, count(*)::int AS n FROM posts GROUP BY touched")).toEqual([{ touched: 1, n: 2000 }]);
  });

  it("stops on request after the current batch, recorded as interrupted, and resumes exactly where it stopped", async () => {
    const p = await withData();
    await postsWith(p, 3000);
    await p.data("20240101120000_backfill", backfill());
    const controller = new AbortController();
    const log = p.options.log!;
    const stopping = deploy({
      ...p.options,
      signal: controller.signal,
      log: { ...log, info: (message, fields) => { log.info(message, fields); if (fields?.event === "progress") controller.abort(); } },
    });
    await expect(stopping).rejects.toBeInstanceOf(InterruptedError);
    const status = await getStatus(p.options);
    expect(status.data[0]?.state).toBe("interrupted");
    expect(status.atHead).toBe(false);
    expect(status.resumable).toEqual(["20240101120000_backfill"]);
    expect(status.data[0]?.progress?.rowsDone).toBeGreaterThan(0);
    expect((await deploy(p.options)).ok).toBe(true);
    expect(await p.sql("SELECT touched, count(*)::int AS n FROM posts GROUP BY touched")).toEqual([{ touched: 1, n: 3000 }]);
  });

  it("shortens its batches once a batch made another session wait for its row locks (seen at the end of the batch); batches commit asynchronously", async () => {
    /** Called by the migration in each batch, in its transaction, after its UPDATE; returns nothing. */
    type Hook = (tx: { query(text: string, values?: unknown[]): Promise<unknown> }, range: { after: string | number | null; upTo: string | number }) => Promise<void>;
    const hooks = globalThis as { __duringBatch?: Hook };
    const migration = `export default {
  anchor: "${S1}",
  transaction: false,
  async up({ batch }) {
    await batch({
      table: "posts", key: "id", initialBatchSize: 1000, maxBlockingMs: 0,
      async apply(tx, range) {
        const r = await tx.query("UPDATE posts SET touched = touched + 1 WHERE id > COALESCE($1::int, 0) AND id <= $2::int", [range.after, range.upTo]);
        await globalThis.__duringBatch?.(tx, range);
        return r.rowCount;
      },
    });
  },
};
`;
    const run = async (blockFirstBatch: boolean) => {
      const p = await withData();
      await postsWith(p, 3000);
      await p.data("20240101120000_backfill", migration);
      const sizes: number[] = [];
      const writer = new pg.Client({ connectionString: p.url, application_name: "the application" });
      await writer.connect();
      let write: Promise<unknown> | undefined;
      const commitModes = new Set<string>();
      hooks.__duringBatch = async (tx, range) => {
        sizes.push(Number(range.upTo) - Number(range.after ?? 0));
        const { rows } = (await tx.query("SELECT current_setting('synchronous_commit') AS mode")) as { rows: { mode: string }[] };
        commitModes.add(rows[0]?.mode ?? "");
        if (!blockFirstBatch || write) return;
        // The application updates a row of the batch in flight: it waits for the batch's COMMIT.
        write = writer.query("UPDATE posts SET touched = touched WHERE id = $1", [range.upTo]);
        await expect.poll(async () => (await p.sql("SELECT count(*)::int AS n FROM pg_stat_activity WHERE application_name = 'the application' AND wait_event_type = 'Lock'"))[0]?.n).toBe(1);
        await tx.query("SELECT pg_sleep(0.1)");
      };
      try {
        expect((await deploy(p.options)).ok).toBe(true);
        await write;
      } finally {
        delete hooks.__duringBatch;
        await writer.end();
      }
      expect(await p.sql("SELECT touched, count(*)::int AS n FROM posts GROUP BY touched")).toEqual([{ touched: 1, n: 3000 }]);
      // Batches commit without waiting for the disk (a crash loses a batch and its cursor together).
      expect([...commitModes]).toEqual(["off"]);
      return { sizes, contended: p.events.filter((e) => e.fields?.event === "batch_contended") };
    };

    const quiet = await run(false);
    expect(quiet.contended).toEqual([]);
    expect(quiet.sizes.slice(0, 2)).toEqual([1000, 1200]);

    const blocked = await run(true);
    expect(blocked.contended).toHaveLength(1);
    expect(blocked.contended[0]?.fields).toMatchObject({ targetBatchMs: 50 });
    expect(blocked.sizes[0]).toBe(1000);
    // The first batch took over 100 ms: aiming at 50 ms, the next one is at most half as big, and the
    // growth of ×1.2 per batch keeps every later one below the first.
    expect(blocked.sizes[1]).toBeLessThanOrEqual(500);
    expect(Math.max(...blocked.sizes.slice(1))).toBeLessThan(1000);
  });

  it("cancels the batch in flight once it keeps a writer waiting over maxBlockingMs, lets the write through, and redoes the range smaller", async () => {
    const hooks = globalThis as { __duringBatch?: (tx: { query(text: string): Promise<unknown> }, range: { after: string | number | null; upTo: string | number }) => Promise<void> };
    const p = await withData();
    await postsWith(p, 3000);
    await p.data("20240101120000_backfill", `export default {
  anchor: "${S1}",
  transaction: false,
  async up({ batch }) {
    await batch({
      table: "posts", key: "id", initialBatchSize: 1000,
      async apply(tx, range) {
        const r = await tx.query("UPDATE posts SET touched = touched + 1 WHERE id > COALESCE($1::int, 0) AND id <= $2::int", [range.after, range.upTo]);
        await globalThis.__duringBatch?.(tx, range);
        return r.rowCount;
      },
    });
  },
};
`);
    const ranges: string[] = [];
    const writer = new pg.Client({ connectionString: p.url, application_name: "the application" });
    await writer.connect();
    onTestFinished(() => writer.end());
    let write: Promise<number> | undefined;
    hooks.__duringBatch = async (tx, range) => {
      ranges.push(`${range.after ?? 0}..${range.upTo}`);
      if (write) return;
      // The application updates a row of the batch in flight, which then takes 30 s more: without the
      // watch, the write would wait for all of it.
      const sent = Date.now();
      write = writer.query("UPDATE posts SET touched = touched WHERE id = $1", [range.upTo]).then(() => Date.now() - sent);
      await tx.query("SELECT pg_sleep(30)");
    };
    onTestFinished(() => void delete hooks.__duringBatch);
    const result = await deploy(p.options);
    expect(result.ok, result.steps[0]?.error?.message).toBe(true);
    // The write went through once the batch was cancelled, long before the batch's 30 s.
    expect(await write).toBeLessThan(10_000);
    const yielded = p.events.filter((e) => e.fields?.event === "batch_yielded");
    expect(yielded).toHaveLength(1);
    expect(p.events.filter((e) => e.fields?.event === "batch_contended")).toHaveLength(1);
    // The cancelled range was done again from the same cursor, smaller.
    expect(ranges[0]).toBe("0..1000");
    expect(ranges[1]).toMatch(/^0\.\.\d+$/);
    expect(Number(ranges[1]?.split("..")[1])).toBeLessThanOrEqual(500);
    // Rolled back whole, redone once: every row processed exactly once.
    expect(await p.sql("SELECT touched, count(*)::int AS n FROM posts GROUP BY touched")).toEqual([{ touched: 1, n: 3000 }]);
  });

  it("a transactional data migration that throws changes nothing; fixed, it applies", async () => {
    const p = await withData();
    await postsWith(p, 10);
    await p.data("20240101120000_general", `export default { anchor: "${S1}", async up({ sql }) {
      await sql.query("CREATE TABLE category (id int PRIMARY KEY, name text)");
      await sql.query("INSERT INTO category VALUES (1, 'General')");
      throw new Error("not yet");
    } };\n`);
    const failed = await deploy(p.options);
    expect(failed.steps[0]).toMatchObject({ outcome: "failed", mode: "transaction", error: { rolledBack: true } });
    expect(await p.sql("SELECT count(*)::int AS n FROM pg_tables WHERE tablename = 'category'")).toEqual([{ n: 0 }]);
    await p.data("20240101120000_general", `export default { anchor: "${S1}", async up({ sql }) {
      await sql.query("CREATE TABLE category (id int PRIMARY KEY, name text)");
      await sql.query("INSERT INTO category VALUES (1, 'General')");
    } };\n`);
    expect((await deploy(p.options)).ok).toBe(true);
    expect(await p.sql("SELECT name FROM category")).toEqual([{ name: "General" }]);
  });

  it("refuses a batch inside a transactional data migration", async () => {
    const p = await withData();
    await postsWith(p, 10);
    await p.data("20240101120000_backfill", backfill({ transaction: true }));
    await expect(deploy(p.options)).rejects.toMatchObject({ code: "BATCH_IN_TRANSACTION" });
  });

  it("refuses to deploy when an applied data migration was edited", async () => {
    const p = await withData();
    await postsWith(p, 10);
    await p.data("20240101120000_backfill", backfill());
    await deploy(p.options);
    await p.data("20240101120000_backfill", backfill({ extra: "// edited" }));
    await expect(deploy(p.options)).rejects.toBeInstanceOf(ChecksumMismatchError);
  });

  it("rolls back with down; one without down is irreversible and down says so before running anything", async () => {
    const p = await withData();
    await postsWith(p, 100);
    await p.data("20240101120000_backfill", backfill());
    await deploy(p.options);
    expect((await plan(p.options, "down", "-1")).steps.map((s) => [s.kind, s.name])).toEqual([["data", "20240101120000_backfill"]]);
    expect((await down(p.options, "-1")).ok).toBe(true);
    expect(await p.sql("SELECT count(*)::int AS n FROM posts WHERE category_id IS NULL")).toEqual([{ n: 100 }]);
    expect((await getStatus(p.options)).pending).toEqual(["20240101120000_backfill"]);

    await p.data("20240101120000_backfill", `export default { anchor: "${S1}", async up({ sql }) { await sql.query("UPDATE posts SET category_id = 2"); } };\n`);
    await deploy(p.options);
    const error = await down(p.options, "base").catch((e: unknown) => e);
    expect(error).toBeInstanceOf(NoDownScriptError);
    expect(await p.sql("SELECT count(*)::int AS n FROM posts WHERE category_id = 2")).toEqual([{ n: 100 }]);
  });
});
