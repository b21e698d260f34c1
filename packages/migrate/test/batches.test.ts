// Batches: on a database where nothing is applied yet, consecutive transactional migrations share a
// transaction (up to BATCH_MAX_STEPS), each still recorded on its own; a failure anywhere rolls the
// batch back and its migrations run again one by one, ending exactly as without batching.
import { describe, expect, it } from "vitest";
import { BATCH_MAX_STEPS, deploy, getStatus, plan, renderStep } from "../src/index.ts";
import { project, type Project } from "./helpers.ts";

/** Migration i's name; from 9000 on they sort after 20240102000000 (the day after). */
const name = (i: number) => (i >= 9000 ? `2024010300${String(i - 9000).padStart(4, "0")}_m${i}` : `2024010100${String(i).padStart(4, "0")}_m${i}`);

async function writeTables(p: Project, count: number, from = 0): Promise<string[]> {
  const names: string[] = [];
  for (let i = from; i < from + count; i++) {
    await p.write(name(i), `CREATE TABLE t${i} (id int PRIMARY KEY);\nINSERT INTO t${i} VALUES (${i});\n`);
    names.push(name(i));
  }
  return names;
}

/** Each history row's transaction (xmin): rows written by one transaction share it. */
async function transactions(p: Project): Promise<{ migration_name: string; tx: string; started_at: Date; finished_at: Date }[]> {
  return p.sql("SELECT migration_name, xmin::text AS tx, started_at, finished_at FROM _prisma_migrations WHERE finished_at IS NOT NULL ORDER BY started_at, migration_name");
}

const groupSizes = (rows: { tx: string }[]) => [...rows.reduce((m, r) => m.set(r.tx, (m.get(r.tx) ?? 0) + 1), new Map<string, number>()).values()];

describe("batches on a new database", () => {
  it(`applies consecutive transactional migrations ${BATCH_MAX_STEPS} per transaction, each with its own history row and timings; a non-transactional one splits the run`, async () => {
    const p = await project();
    const names = await writeTables(p, BATCH_MAX_STEPS + 10);
    const concurrent = "20240102000000_concurrent";
    await p.write(concurrent, `CREATE INDEX CONCURRENTLY t0_idx ON t0 (id);\n`);
    const after = await writeTables(p, 3, 9000);

    const result = await deploy(p.options);
    expect(result.ok).toBe(true);
    expect(result.steps.map((s) => s.name)).toEqual([...names, concurrent, ...after]);
    expect(result.steps.every((s) => s.outcome === "applied" && s.durationMs >= 0)).toBe(true);

    const rows = await transactions(p);
    expect(rows.map((r) => r.migration_name)).toEqual([...names, concurrent, ...after]);
    // 50 together, then 10 together, the concurrent index alone (two transactions of its own: start
    // record, then progress), then the last 3 together.
    expect(groupSizes(rows)).toEqual([BATCH_MAX_STEPS, 10, 1, 3]);
    // Each migration's own start and end, in order, not the batch's.
    for (const [i, row] of rows.entries()) {
      expect(row.finished_at.getTime()).toBeGreaterThanOrEqual(row.started_at.getTime());
      if (i > 0) expect(row.started_at.getTime()).toBeGreaterThanOrEqual((rows[i - 1] as { finished_at: Date }).finished_at.getTime());
    }
    expect(new Set(rows.slice(0, BATCH_MAX_STEPS).map((r) => r.started_at.getTime())).size).toBeGreaterThan(1);
    expect(await p.sql(`SELECT count(*)::int AS n FROM pg_tables WHERE tablename ~ '^t[0-9]+$'`)).toEqual([{ n: names.length + after.length }]);
    expect((await getStatus(p.options)).atHead).toBe(true);
  });

  it("plan prints the batch as it runs: one BEGIN before its first migration and one COMMIT after its last", async () => {
    const p = await project();
    await writeTables(p, 4);
    const planned = await plan(p.options, "up");
    const text = planned.steps.map(renderStep).join("\n");
    expect(text.match(/^BEGIN;$/gm)).toHaveLength(1);
    expect(text.match(/^COMMIT;$/gm)).toHaveLength(1);
    expect(text.indexOf("BEGIN;")).toBeLessThan(text.indexOf("CREATE TABLE t0"));
    expect(text.lastIndexOf("COMMIT;")).toBeGreaterThan(text.indexOf("CREATE TABLE t3"));
    expect(text).toContain("batch 1, 4 migrations in one transaction on this new database");
  });

  it("a database with a migration applied gets no batches: each later migration commits on its own", async () => {
    const p = await project();
    await writeTables(p, 1);
    expect((await deploy(p.options)).ok).toBe(true);
    await writeTables(p, 4, 1);
    const planned = await plan(p.options, "up");
    expect(planned.steps.some((s) => s.kind === "schema" && s.batch)).toBe(false);
    expect((await deploy(p.options)).ok).toBe(true);
    expect(groupSizes(await transactions(p))).toEqual([1, 1, 1, 1, 1]);
  });

  it("a new enum value ends its batch (it cannot be used before it commits); a migration that fails only inside a batch makes the batch run one by one", async () => {
    const p = await project();
    await p.write("20240101000000_enum", "CREATE TYPE mood AS ENUM ('calm');\n");
    await p.write("20240102000000_add_value", "ALTER TYPE mood ADD VALUE 'happy';\n");
    await p.write("20240103000000_use_value", "CREATE TABLE person (name text, mood mood NOT NULL DEFAULT 'happy');\nINSERT INTO person (name) VALUES ('ann');\n");
    await p.write("20240104000000_more", "CREATE TABLE more (id int);\n");
    const result = await deploy(p.options);
    expect(result.ok).toBe(true);
    expect(p.events.some((e) => e.fields?.event === "batch_fallback")).toBe(false);
    expect(groupSizes(await transactions(p))).toEqual([2, 2]);
    expect(await p.sql("SELECT name, mood::text AS mood FROM person")).toEqual([{ name: "ann", mood: "happy" }]);

    // The same trap the parser cannot see (the value added by a DO block): PostgreSQL refuses it in the
    // batch (55P04), the batch is rolled back and its migrations run one by one, and all of them apply.
    const q = await project();
    await q.write("20240101000000_enum", "CREATE TYPE mood AS ENUM ('calm');\n");
    await q.write("20240102000000_add_value", "DO $$ BEGIN ALTER TYPE mood ADD VALUE 'happy'; END $$;\n");
    await q.write("20240103000000_use_value", "CREATE TABLE person (name text, mood mood NOT NULL DEFAULT 'happy');\nINSERT INTO person (name) VALUES ('ann');\n");
    const fallback = await deploy(q.options);
    expect(fallback.ok).toBe(true);
    expect(q.events.find((e) => e.fields?.event === "batch_fallback")?.fields).toMatchObject({ sqlState: "55P04" });
    expect(groupSizes(await transactions(q))).toEqual([1, 1, 1]);
    expect(await q.sql("SELECT name, mood::text AS mood FROM person")).toEqual([{ name: "ann", mood: "happy" }]);
  });

  it("a failing migration in a batch: the batch is rolled back, the ones before it are applied one by one, the failure is recorded with its line, the rest does not run", async () => {
    const p = await project();
    const before = await writeTables(p, 3);
    const bad = "20240101005000_bad";
    await p.write(bad, "CREATE TABLE half (id int);\nINSERT INTO no_such_table VALUES (1);\n");
    await writeTables(p, 2, 6000);

    const result = await deploy(p.options);
    expect(result.ok).toBe(false);
    expect(result.steps.map((s) => [s.name, s.outcome])).toEqual([...before.map((n) => [n, "applied"]), [bad, "failed"]]);
    expect(result.steps.at(-1)?.error?.message).toContain(`${bad}/migration.sql:2:13: relation "no_such_table" does not exist`);
    expect(p.events.find((e) => e.fields?.event === "batch_fallback")?.fields).toMatchObject({ sqlState: "42P01" });
    // Applied one by one after the rollback: a transaction each.
    expect(groupSizes(await transactions(p))).toEqual([1, 1, 1]);
    expect(await p.sql("SELECT tablename FROM pg_tables WHERE tablename IN ('half', 't6000') ")).toEqual([]);
    const status = await getStatus(p.options);
    expect(status.failed).toEqual([bad]);
    expect(status.applied).toEqual(before);

    // Fixed: the next deploy (no longer a new database) applies the rest one by one.
    await p.write(bad, "CREATE TABLE half (id int);\n");
    const fixed = await deploy(p.options);
    expect(fixed.ok).toBe(true);
    expect((await getStatus(p.options)).atHead).toBe(true);
  });
});
