// lock_timeout and retries: a migration that needs a table lock held by a long transaction elsewhere
// gives up quickly (so it does not queue everyone else's queries behind it), retries with backoff
// within a budget, and either succeeds once the lock frees or fails with nothing applied.
import pg from "pg";
import { describe, expect, it, onTestFinished } from "vitest";
import { deploy, getStatus, InterruptedError } from "../src/index.ts";
import { project } from "./helpers.ts";

async function holdTableLock(url: string, table: string): Promise<{ release(): Promise<void> }> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  await client.query("BEGIN");
  await client.query(`SELECT * FROM ${table}`); // an open read transaction: ACCESS SHARE, as a long report holds
  let released = false;
  const release = async () => {
    if (released) return;
    released = true;
    await client.query("COMMIT");
    await client.end();
  };
  onTestFinished(release);
  return { release };
}

/** Resolves when the engine has logged `count` retries (a state, not a time). */
function retries(events: { fields?: Record<string, unknown> }[], count: number): Promise<void> {
  return new Promise((resolve) => {
    const check = () => (events.filter((e) => e.fields?.event === "retry").length >= count ? resolve() : setImmediate(check));
    check();
  });
}

describe("lock timeouts", () => {
  it("retries a migration blocked by a long transaction, logging each retry, and applies it when the lock frees", async () => {
    const p = await project();
    await p.write("20240101000000_t", "CREATE TABLE t (id int);\n");
    await deploy(p.options);
    await p.write("20240102000000_alter", "-- migrate: lock_timeout=100ms\nALTER TABLE t ADD COLUMN note text;\n");
    const blocker = await holdTableLock(p.url, "t");
    const running = deploy({ ...p.options, settings: { retry: { budgetMs: 60_000, baseDelayMs: 20, maxDelayMs: 100 } } });
    await retries(p.events, 2);
    // While the migration waits between attempts, other sessions are not queued behind its lock.
    const other = new pg.Client({ connectionString: p.url });
    await other.connect();
    await other.query("SET lock_timeout = '2s'");
    await expect(other.query("SELECT count(*) FROM t")).resolves.toBeDefined();
    await other.end();
    await blocker.release();
    const result = await running;
    expect(result.ok).toBe(true);
    expect(result.steps[0]?.retries).toBeGreaterThanOrEqual(2);
    const retry = p.events.find((e) => e.fields?.event === "retry");
    expect(retry?.message).toMatch(/20240102000000_alter: canceling statement due to lock timeout \[SQLSTATE 55P03\]; retry 1 in \d+ ms/);
    expect(await p.sql("SELECT column_name FROM information_schema.columns WHERE table_name = 't' ORDER BY 1")).toEqual([{ column_name: "id" }, { column_name: "note" }]);
  });

  it("stops waiting for a retry when asked to stop (SIGTERM): the steps before stay applied, the blocked one stays pending", async () => {
    const p = await project();
    await p.write("20240101000000_t", "CREATE TABLE t (id int);\n");
    await deploy(p.options);
    await p.write("20240102000000_before", "CREATE TABLE before_it (id int);\n");
    await p.write("20240103000000_alter", "-- migrate: lock_timeout=100ms\nALTER TABLE t ADD COLUMN note text;\n");
    await p.write("20240104000000_after", "CREATE TABLE after_it (id int);\n");
    await holdTableLock(p.url, "t");
    const controller = new AbortController();
    // Retries far apart: without the stop, the run would wait out a 60 s budget.
    const running = deploy({ ...p.options, signal: controller.signal, settings: { retry: { budgetMs: 60_000, baseDelayMs: 10_000, maxDelayMs: 10_000 } } });
    await retries(p.events, 1);
    const stopped = Date.now();
    controller.abort();
    const error = await running.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InterruptedError);
    expect((error as InterruptedError).migration).toBe("20240103000000_alter");
    expect(Date.now() - stopped).toBeLessThan(2_000);
    const status = await getStatus(p.options);
    expect(status.migrations.map((m) => [m.name, m.state])).toEqual([
      ["20240101000000_t", "applied"],
      ["20240102000000_before", "applied"],
      ["20240103000000_alter", "pending"],
      ["20240104000000_after", "pending"],
    ]);
    expect(await p.sql("SELECT to_regclass('before_it') IS NOT NULL AS made, to_regclass('after_it') IS NULL AS not_made")).toEqual([{ made: true, not_made: true }]);
  });

  it("gives up when the retry budget is spent, with SQLSTATE 55P03 and nothing applied", async () => {
    const p = await project();
    await p.write("20240101000000_t", "CREATE TABLE t (id int);\n");
    await deploy(p.options);
    await p.write("20240102000000_alter", "-- migrate: lock_timeout=50ms\nCREATE TABLE side (id int);\nALTER TABLE t ADD COLUMN note text;\n");
    await holdTableLock(p.url, "t");
    const result = await deploy({ ...p.options, settings: { retry: { budgetMs: 200, baseDelayMs: 20, maxDelayMs: 50 } } });
    expect(result.ok).toBe(false);
    expect(result.steps[0]?.error).toMatchObject({ sqlState: "55P03", rolledBack: true });
    expect(result.steps[0]?.retries).toBeGreaterThan(0);
    expect(await p.sql("SELECT count(*)::int AS n FROM pg_tables WHERE tablename = 'side'")).toEqual([{ n: 0 }]);
    expect((await getStatus(p.options)).failed).toEqual(["20240102000000_alter"]);
  });

  it("applies statement_timeout from the header", async () => {
    const p = await project();
    await p.write("20240101000000_slow", "-- migrate: statement_timeout=100ms\nSELECT pg_sleep(5);\n");
    const result = await deploy(p.options);
    expect(result.ok).toBe(false);
    expect(result.steps[0]?.error).toMatchObject({ sqlState: "57014" });
    expect(result.steps[0]?.error?.message).toContain("canceling statement due to statement timeout");
  });
});

describe("statements that cannot run in a transaction", () => {
  it("runs CREATE INDEX CONCURRENTLY statement by statement, recording progress as Prisma's applied_steps_count", async () => {
    const p = await project();
    await p.write("20240101000000_t", "CREATE TABLE t (id int, email text);\n");
    await p.write("20240102000000_index", "CREATE INDEX CONCURRENTLY t_email_idx ON t (email);\nCREATE INDEX CONCURRENTLY t_id_idx ON t (id);\n");
    const result = await deploy(p.options);
    expect(result.ok).toBe(true);
    expect(result.steps.map((s) => s.mode)).toEqual(["transaction", "statements"]);
    expect(await p.sql("SELECT migration_name, applied_steps_count, logs FROM _prisma_migrations WHERE migration_name LIKE '%index'")).toEqual([
      { migration_name: "20240102000000_index", applied_steps_count: 2, logs: null },
    ]);
    expect(await p.sql("SELECT indexname FROM pg_indexes WHERE tablename = 't' ORDER BY 1")).toEqual([{ indexname: "t_email_idx" }, { indexname: "t_id_idx" }]);
  });

  it("finds the INVALID index a failed concurrent build left, reports it, and rebuilds it after the failure is resolved", async () => {
    const p = await project();
    await p.write("20240101000000_t", "CREATE TABLE t (email text);\nINSERT INTO t VALUES ('a@x'), ('a@x');\n");
    await p.write("20240102000000_unique", "CREATE UNIQUE INDEX CONCURRENTLY t_email_key ON t (email);\n");
    const failed = await deploy(p.options);
    expect(failed.ok).toBe(false);
    expect(failed.steps[1]?.error).toMatchObject({ sqlState: "23505", rolledBack: false });
    expect(await p.sql("SELECT i.indisvalid AS valid FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid WHERE c.relname = 't_email_key'")).toEqual([{ valid: false }]);

    await p.sql("DELETE FROM t WHERE ctid = (SELECT max(ctid) FROM t)");
    const { resolve } = await import("../src/index.ts");
    await resolve(p.options, "20240102000000_unique", "rolled-back");
    const fixed = await deploy(p.options);
    expect(fixed.ok).toBe(true);
    expect(p.events.some((e) => e.fields?.event === "invalid_index" && e.fields.index === "t_email_key")).toBe(true);
    expect(await p.sql("SELECT i.indisvalid AS valid FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid WHERE c.relname = 't_email_key'")).toEqual([{ valid: true }]);
  });

  it("refuses a script that controls transactions itself, and transaction=true with a concurrent build", async () => {
    const p = await project();
    await p.write("20240101000000_tx", "BEGIN;\nCREATE TABLE t (id int);\nCOMMIT;\n");
    await expect(deploy(p.options)).rejects.toMatchObject({ code: "TRANSACTION_CONTROL" });
    await p.write("20240101000000_tx", "-- migrate: transaction=true\nCREATE TABLE t (id int);\nCREATE INDEX CONCURRENTLY t_idx ON t (id);\n");
    await expect(deploy(p.options)).rejects.toMatchObject({ code: "INVALID_DIRECTIVE" });
    expect(await p.sql("SELECT count(*)::int AS n FROM pg_tables WHERE tablename = 't'")).toEqual([{ n: 0 }]);
  });
});
