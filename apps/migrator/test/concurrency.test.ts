// Many deployers at once (replicas each running the migrator on start, a re-run CI job): the migration
// lock lets exactly one apply each migration; the others wait, then find nothing to do.
import { MIGRATION_LOCK_KEY } from "@repo/migrate";
import { describe, expect, it } from "vitest";
import { output, project, session, waitFor } from "./helpers.ts";

const MIGRATIONS = [
  ["20240101000000_users", "CREATE TABLE users (id serial PRIMARY KEY, email text NOT NULL UNIQUE);\n"],
  ["20240102000000_posts", "CREATE TABLE posts (id serial PRIMARY KEY, user_id int NOT NULL REFERENCES users(id), title text);\n"],
  ["20240103000000_seed", "INSERT INTO users (email) VALUES ('first@example.com');\n"],
  ["20240104000000_index", "-- migrate: transaction=false\nCREATE INDEX CONCURRENTLY posts_user_id_idx ON posts (user_id);\n"],
  ["20240105000000_bio", "ALTER TABLE users ADD COLUMN bio text;\nCREATE TABLE tags (id serial PRIMARY KEY);\n"],
] as const;

describe("concurrent deploys", () => {
  it("8 deploys started at once on an empty database all exit 0, and each migration is applied exactly once", async () => {
    const p = await project();
    for (const [name, sql] of MIGRATIONS) await p.write(name, sql);
    const runs = await Promise.all(Array.from({ length: 8 }, () => p.start(["deploy", "--json"]).done));
    for (const run of runs) expect(run.code, output(run)).toBe(0);

    // Across all runs, each migration was reported applied once (the others waited, then had nothing to do).
    const applied = runs.flatMap((run) =>
      run.stdout
        .split("\n")
        .filter(Boolean)
        .map((line) => JSON.parse(line) as { level?: string; name?: string; outcome?: string })
        .filter((event) => !event.level && event.outcome === "applied")
        .map((event) => event.name),
    );
    expect(applied.sort()).toEqual(MIGRATIONS.map(([name]) => name));

    const history = await p.history();
    expect(history.map((row) => [row.migration_name, row.finished, row.rolled_back])).toEqual(MIGRATIONS.map(([name]) => [name, true, false]));
    expect(await p.tables()).toEqual(["posts", "tags", "users"]);
    expect(await p.sql("SELECT email FROM users")).toEqual([{ email: "first@example.com" }]);
    expect(await p.sql("SELECT i.indisvalid AS valid FROM pg_index i WHERE i.indexrelid = 'posts_user_id_idx'::regclass")).toEqual([{ valid: true }]);
    expect((await p.run(["status", "--check"])).code).toBe(0);
  });

  it("a deploy waiting for the migration lock does not hold back CREATE INDEX CONCURRENTLY in the run that holds it", async () => {
    const p = await project();
    await p.sql("CREATE TABLE t (id int); INSERT INTO t SELECT generate_series(1, 100)");
    await p.write("20240101000000_a", "CREATE TABLE a (id int);\n");
    // The holder plays a migrator run: it holds the lock, then builds an index concurrently.
    const holder = await session(p.url, "other-migrator-run");
    await holder.query("SELECT pg_advisory_lock($1)", [MIGRATION_LOCK_KEY]);
    const waiting = p.start(["deploy"]);
    await waitFor("the deploy to wait for the lock", async () => waiting.stderr().includes("Waiting up to 60 s for the migration lock"));
    // CREATE INDEX CONCURRENTLY waits for every older snapshot in the database: a waiter must hold none.
    await holder.query("SET lock_timeout = '3s'");
    await expect(holder.query("CREATE INDEX CONCURRENTLY t_id_idx ON t (id)")).resolves.toBeDefined();
    await holder.query("SELECT pg_advisory_unlock($1)", [MIGRATION_LOCK_KEY]);
    const run = await waiting.done;
    expect(run.code, output(run)).toBe(0);
    expect(await p.tables()).toEqual(["a", "t"]);
  });

  it("a CREATE INDEX CONCURRENTLY that timed out on an old snapshot is retried after dropping the INVALID index it left", async () => {
    const p = await project();
    await p.write("20240101000000_posts", "CREATE TABLE posts (id int);\nINSERT INTO posts SELECT generate_series(1, 100);\n");
    expect((await p.run(["deploy"])).code).toBe(0);
    await p.write("20240102000000_index", "-- migrate: transaction=false lock_timeout=1s\nCREATE INDEX CONCURRENTLY posts_id_idx ON posts (id);\n");
    // A long report: a repeatable-read transaction whose snapshot the index build must wait out.
    const report = await session(p.url, "long-report");
    await report.query("BEGIN ISOLATION LEVEL REPEATABLE READ");
    await report.query("SELECT 1");
    const deploy = p.start(["deploy"]);
    await waitFor("the index build to time out and be retried", async () => /posts_id_idx|20240102000000_index: .*lock timeout.*retry 1 in/.test(deploy.stderr()) && deploy.stderr().includes("retry 1 in"));
    await report.query("COMMIT");
    const run = await deploy.done;
    expect(run.code, output(run)).toBe(0);
    expect(run.stdout).toContain("✔ applied  20240102000000_index");
    expect(await p.sql("SELECT indisvalid AS valid FROM pg_index WHERE indexrelid = 'posts_id_idx'::regclass")).toEqual([{ valid: true }]);
    expect((await p.history()).map((row) => [row.migration_name, row.finished, row.applied_steps_count])).toEqual([
      ["20240101000000_posts", true, 1],
      ["20240102000000_index", true, 1],
    ]);
  });
});
