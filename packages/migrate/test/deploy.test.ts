// deploy / up: applying migrations atomically, recording them as Prisma does, refusing bad histories.
import { mkdir } from "node:fs/promises";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { ChecksumMismatchError, deploy, FailedMigrationPresentError, getStatus, MissingLocalMigrationError, resolve, up } from "../src/index.ts";
import { project } from "./helpers.ts";

describe("deploy", () => {
  it("applies pending migrations in order, each recorded as Prisma records it, and is a no-op the second time", async () => {
    const p = await project();
    await p.write("20240101000000_users", "CREATE TABLE users (id serial PRIMARY KEY, email text NOT NULL);\n");
    await p.write("20240102000000_posts", "CREATE TABLE posts (id serial PRIMARY KEY, user_id int REFERENCES users(id));\n");
    const first = await deploy(p.options);
    expect(first.ok).toBe(true);
    expect(first.steps.map((s) => [s.name, s.outcome, s.mode])).toEqual([
      ["20240101000000_users", "applied", "transaction"],
      ["20240102000000_posts", "applied", "transaction"],
    ]);
    const rows = await p.sql<{ id: string; checksum: string; migration_name: string; applied_steps_count: number; finished: boolean; logs: string | null }>(
      "SELECT id, checksum, migration_name, applied_steps_count, finished_at >= started_at AS finished, logs FROM _prisma_migrations ORDER BY migration_name",
    );
    expect(rows).toHaveLength(2);
    for (const row of rows) {
      expect(row.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
      expect(row.checksum).toMatch(/^[0-9a-f]{64}$/);
      expect(row).toMatchObject({ applied_steps_count: 1, finished: true, logs: null });
    }
    const again = await deploy(p.options);
    expect(again.plan.steps).toEqual([]);
    expect((await getStatus(p.options)).atHead).toBe(true);
  });

  it("a migration folder without migration.sql is refused, naming the folder, before anything runs", async () => {
    const p = await project();
    await p.write("20240101000000_users", "CREATE TABLE users (id int);\n");
    await mkdir(path.join(p.dir, "20240102000000_empty"));
    await expect(deploy(p.options)).rejects.toMatchObject({ code: "MIGRATION_FILE_MISSING", message: expect.stringContaining(`${path.join(p.dir, "20240102000000_empty")} has no migration.sql`) });
    expect(await p.sql("SELECT to_regclass('users') AS t")).toEqual([{ t: null }]);
  });

  it("a failing migration leaves the schema as it was, is recorded with its SQLSTATE and line, and applies once fixed", async () => {
    const p = await project();
    await p.write("20240101000000_ok", "CREATE TABLE ok (id int);\n");
    await p.write("20240102000000_bad", "CREATE TABLE half (id int);\nINSERT INTO half VALUES (1);\nINSERT INTO no_such_table VALUES (1);\n");
    await p.write("20240103000000_after", "CREATE TABLE after_bad (id int);\n");
    const result = await deploy(p.options);
    expect(result.ok).toBe(false);
    expect(result.steps.map((s) => [s.name, s.outcome])).toEqual([["20240101000000_ok", "applied"], ["20240102000000_bad", "failed"]]);
    const error = result.steps[1]?.error;
    expect(error).toMatchObject({ code: "MIGRATION_FAILED", sqlState: "42P01", rolledBack: true });
    expect(error?.message).toContain('20240102000000_bad/migration.sql:3:13: relation "no_such_table" does not exist');
    expect(error?.message).toContain("3 | INSERT INTO no_such_table VALUES (1);");
    expect(await p.sql("SELECT tablename FROM pg_tables WHERE tablename IN ('half', 'after_bad')")).toEqual([]);
    const status = await getStatus(p.options);
    expect(status.failed).toEqual(["20240102000000_bad"]);
    expect(status.pending).toEqual(["20240103000000_after"]);

    await p.write("20240102000000_bad", "CREATE TABLE half (id int);\nINSERT INTO half VALUES (1);\n");
    const fixed = await deploy(p.options);
    expect(fixed.ok).toBe(true);
    expect(fixed.cleared).toEqual(["20240102000000_bad"]);
    expect(fixed.steps.map((s) => s.name)).toEqual(["20240102000000_bad", "20240103000000_after"]);
    expect(await p.sql("SELECT id FROM half")).toEqual([{ id: 1 }]);
    expect((await getStatus(p.options)).atHead).toBe(true);
  });

  it("a migration whose COMMIT fails (a deferred constraint) is the one reported failed, with nothing of it applied, and the next does not run", async () => {
    const p = await project();
    const deferredViolation = (table: string) =>
      `CREATE TABLE ${table}_parent (id int PRIMARY KEY);\nCREATE TABLE ${table} (parent_id int REFERENCES ${table}_parent (id) DEFERRABLE INITIALLY DEFERRED);\nINSERT INTO ${table} VALUES (1);\n`;
    await p.write("20240101000000_ok", "CREATE TABLE ok (id int);\n");
    await p.write("20240102000000_deferred", deferredViolation("child"));
    await p.write("20240103000000_after", "CREATE TABLE after_deferred (id int);\n");
    const result = await deploy(p.options);
    expect(result.steps.map((s) => [s.name, s.outcome])).toEqual([["20240101000000_ok", "applied"], ["20240102000000_deferred", "failed"]]);
    expect(result.steps[1]?.error).toMatchObject({ sqlState: "23503", rolledBack: true });
    expect(await p.sql("SELECT tablename FROM pg_tables WHERE tablename IN ('ok', 'child', 'child_parent', 'after_deferred') ORDER BY 1")).toEqual([{ tablename: "ok" }]);
    expect(p.events.filter((e) => e.fields?.event === "step").map((e) => e.message)).toEqual([expect.stringMatching(/^Applied 20240101000000_ok in \d+ ms$/)]);
    const status = await getStatus(p.options);
    expect([status.applied, status.failed, status.pending]).toEqual([["20240101000000_ok"], ["20240102000000_deferred"], ["20240103000000_after"]]);

    // The same failure in a run's last migration, whose COMMIT goes alone.
    await p.write("20240102000000_deferred", "CREATE TABLE fixed (id int);\n");
    await p.write("20240104000000_last", deferredViolation("last"));
    const again = await deploy(p.options);
    expect(again.steps.map((s) => [s.name, s.outcome])).toEqual([
      ["20240102000000_deferred", "applied"],
      ["20240103000000_after", "applied"],
      ["20240104000000_last", "failed"],
    ]);
    expect(again.steps[2]?.error).toMatchObject({ sqlState: "23503" });
    expect(await p.sql("SELECT count(*)::int AS n FROM pg_tables WHERE tablename IN ('last', 'last_parent')")).toEqual([{ n: 0 }]);
    expect((await getStatus(p.options)).failed).toEqual(["20240104000000_last"]);
  });

  it("points a failure in a later migration at its own file, line and column", async () => {
    const p = await project();
    await p.write("20240101000000_a", "CREATE TABLE a (id int);\n");
    await p.write("20240102000000_b", "-- a comment first\nCREATE TABLE b (id int);\nSELECT missing_column FROM b;\n");
    const result = await deploy(p.options);
    expect(result.steps.map((s) => s.outcome)).toEqual(["applied", "failed"]);
    expect(result.steps[1]?.error?.message).toContain('20240102000000_b/migration.sql:3:8: column "missing_column" does not exist');
    expect(await p.sql("SELECT tablename FROM pg_tables WHERE tablename IN ('a', 'b')")).toEqual([{ tablename: "a" }]);
  });

  it("reports a syntax error with file, line and column before anything runs", async () => {
    const p = await project();
    await p.write("20240101000000_ok", "CREATE TABLE ok (id int);\n");
    await p.write("20240102000000_typo", "CREATE TABLE t (id int);\n\nSELEC 1;\n");
    await expect(deploy(p.options)).rejects.toMatchObject({ code: "SQL_SYNTAX", message: expect.stringContaining('20240102000000_typo/migration.sql:3:1: syntax error at or near "SELEC"') });
    expect(await p.sql("SELECT count(*)::int AS n FROM pg_tables WHERE tablename IN ('ok', 't')")).toEqual([{ n: 0 }]);
  });

  it("refuses, before running anything, when an applied migration was edited, naming both checksums", async () => {
    const p = await project();
    await p.write("20240101000000_a", "CREATE TABLE a (id int);\n");
    await deploy(p.options);
    await p.write("20240101000000_a", "CREATE TABLE a (id bigint);\n");
    await p.write("20240102000000_b", "CREATE TABLE b (id int);\n");
    const error = await deploy(p.options).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ChecksumMismatchError);
    expect(error).toMatchObject({ migration: "20240101000000_a", expected: expect.stringMatching(/^[0-9a-f]{64}$/), actual: expect.stringMatching(/^[0-9a-f]{64}$/) });
    expect((error as Error).message).toContain((error as ChecksumMismatchError).expected);
    expect(await p.sql("SELECT count(*)::int AS n FROM pg_tables WHERE tablename = 'b'")).toEqual([{ n: 0 }]);
  });

  it("accepts a file whose only change is its line endings (git autocrlf), as Prisma does", async () => {
    const p = await project();
    await p.write("20240101000000_a", "CREATE TABLE a (id int);\nCREATE TABLE b (id int);\n");
    await deploy(p.options);
    await p.write("20240101000000_a", "CREATE TABLE a (id int);\r\nCREATE TABLE b (id int);\r\n");
    expect((await getStatus(p.options)).atHead).toBe(true);
    expect((await deploy(p.options)).ok).toBe(true);
  });

  it("refuses to deploy an older release onto a newer database (a migration missing locally)", async () => {
    const p = await project();
    await p.write("20240101000000_a", "CREATE TABLE a (id int);\n");
    await p.write("20240102000000_b", "CREATE TABLE b (id int);\n");
    await deploy(p.options);
    await p.remove("20240102000000_b");
    await expect(deploy(p.options)).rejects.toBeInstanceOf(MissingLocalMigrationError);
    expect((await getStatus(p.options)).missing).toEqual(["20240102000000_b"]);
  });

  it("stops on a failure it cannot clear (e.g. recorded by Prisma) until it is resolved", async () => {
    const p = await project();
    await p.write("20240101000000_a", "CREATE TABLE a (id int);\n");
    await p.sql(
      `CREATE TABLE _prisma_migrations (id VARCHAR(36) PRIMARY KEY NOT NULL, checksum VARCHAR(64) NOT NULL, finished_at TIMESTAMPTZ, migration_name VARCHAR(255) NOT NULL, logs TEXT, rolled_back_at TIMESTAMPTZ, started_at TIMESTAMPTZ NOT NULL DEFAULT now(), applied_steps_count INTEGER NOT NULL DEFAULT 0);
       INSERT INTO _prisma_migrations (id, checksum, migration_name, logs) VALUES (gen_random_uuid(), 'x', '20240101000000_a', 'Error: something Prisma saw');`,
    );
    await expect(deploy(p.options)).rejects.toBeInstanceOf(FailedMigrationPresentError);
    await resolve(p.options, "20240101000000_a", "rolled-back");
    expect((await deploy(p.options)).ok).toBe(true);
    expect(await p.sql("SELECT count(*)::int AS n FROM pg_tables WHERE tablename = 'a'")).toEqual([{ n: 1 }]);
  });

  it("shows a statement-by-statement run killed mid-way as interrupted, and deploy continues it after its last statement", async () => {
    const p = await project();
    await p.write("20240101000000_t", "CREATE TABLE t (id int);\nCREATE TABLE counter (n int);\n");
    await deploy(p.options);
    const script = "-- migrate: transaction=false\nINSERT INTO counter VALUES (1);\nCREATE INDEX CONCURRENTLY t_id_idx ON t (id);\n";
    await p.write("20240102000000_index", script);
    // What a migrator killed after the first statement leaves behind.
    const { checksumOf } = await import("../src/index.ts");
    await p.sql("INSERT INTO counter VALUES (1)");
    await p.sql(
      "INSERT INTO _prisma_migrations (id, checksum, migration_name, logs, applied_steps_count) VALUES (gen_random_uuid(), $1, '20240102000000_index', 'migrator: running statement by statement outside a transaction', 1)",
      [checksumOf(script)],
    );
    const status = await getStatus(p.options);
    expect(status.migrations.find((m) => m.name === "20240102000000_index")?.state).toBe("interrupted");
    expect(status.resumable).toEqual(["20240102000000_index"]);
    expect(status.failed).toEqual([]);
    expect((await deploy(p.options)).ok).toBe(true);
    expect(await p.sql("SELECT count(*)::int AS n FROM counter")).toEqual([{ n: 1 }]);
    expect(await p.sql("SELECT indexname FROM pg_indexes WHERE tablename = 't'")).toEqual([{ indexname: "t_id_idx" }]);
  });

  it("up +N and up <name> stop at the target", async () => {
    const p = await project();
    for (const name of ["20240101000000_a", "20240102000000_b", "20240103000000_c"]) await p.write(name, `CREATE TABLE t_${name.slice(-1)} (id int);\n`);
    expect((await up(p.options, "+1")).steps.map((s) => s.name)).toEqual(["20240101000000_a"]);
    expect((await up(p.options, "b")).steps.map((s) => s.name)).toEqual(["20240102000000_b"]);
    expect((await getStatus(p.options)).pending).toEqual(["20240103000000_c"]);
    await expect(up(p.options, "+2")).rejects.toThrow("up +2: only 1 migration is pending.");
  });

  it("creates the schema named in the URL and keeps its history there, as Prisma does", async () => {
    const p = await project();
    await p.write("20240101000000_a", "CREATE TABLE a (id int);\n");
    const options = { ...p.options, url: `${p.url}${p.url.includes("?") ? "&" : "?"}schema=tenant_one` };
    expect((await deploy(options)).ok).toBe(true);
    expect(await p.sql("SELECT table_schema, table_name FROM information_schema.tables WHERE table_schema = 'tenant_one' ORDER BY 2")).toEqual([
      { table_schema: "tenant_one", table_name: "_prisma_migrations" },
      { table_schema: "tenant_one", table_name: "a" },
    ]);
  });
});
