// Bad inputs and hostile situations: each ends with a clear message on stderr and the documented exit
// code, and changes nothing it should not.
import { createHash, randomBytes } from "node:crypto";
import { cp, mkdir, mkdtemp, rm, symlink } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { createTestDatabase } from "@repo/dev-postgres";
import { MIGRATION_LOCK_KEY } from "@repo/migrate";
import { describe, expect, it, inject, onTestFinished } from "vitest";
import { cleanEnv, migrator, output, project, session, sqlOn, tableIn } from "./helpers.ts";

const sha256 = (text: string) => createHash("sha256").update(text, "utf8").digest("hex");

describe("bad migrations", () => {
  it("a syntax error is reported as file:line:col with exit 4, before anything runs", async () => {
    const p = await project();
    await p.write("20240101000000_ok", "CREATE TABLE ok (id int);\n");
    await p.write("20240102000000_typo", "CREATE TABLE t (id int);\n\nSELEC 1;\n");
    const run = await p.run(["deploy"]);
    expect(run.code, output(run)).toBe(4);
    expect(run.stderr).toContain('error[SQL_SYNTAX]: 20240102000000_typo/migration.sql:3:1: syntax error at or near "SELEC"\n  3 | SELEC 1;\n');
    expect(run.stdout).toBe("");
    expect(await p.tables()).toEqual([]);
    expect(await p.history()).toEqual([]);
  });

  it("a statement failing at run time exits 1 with its SQLSTATE, and nothing of that migration stays applied", async () => {
    const p = await project();
    await p.write("20240101000000_ok", "CREATE TABLE ok (id int);\n");
    await p.write("20240102000000_bad", "CREATE TABLE half (id int);\nINSERT INTO half VALUES (1);\nINSERT INTO no_such_table VALUES (1);\n");
    await p.write("20240103000000_after", "CREATE TABLE after_bad (id int);\n");
    const run = await p.run(["deploy"]);
    expect(run.code, output(run)).toBe(1);
    expect(run.stderr).toContain(
      'error[MIGRATION_FAILED]: Migration 20240102000000_bad (up) failed [SQLSTATE 42P01]: 20240102000000_bad/migration.sql:3:13: relation "no_such_table" does not exist\n  3 | INSERT INTO no_such_table VALUES (1);\n',
    );
    expect(run.stderr).toContain("nothing of it was applied");
    expect(run.stdout).toMatch(/^✔ applied {2}20240101000000_ok .*\n✖ failed {2}20240102000000_bad .*\n· skipped {2}20240103000000_after\n\nStopped: 1 of 3 applied.\n$/);
    expect(await p.tables()).toEqual(["ok"]);
    expect((await p.history()).map((row) => [row.migration_name, row.finished])).toEqual([
      ["20240101000000_ok", true],
      ["20240102000000_bad", false],
    ]);
  });

  it("refuses (exit 4) when an applied migration was edited, naming both checksums, and runs nothing", async () => {
    const p = await project();
    const original = "CREATE TABLE a (id int);\n";
    const edited = "CREATE TABLE a (id bigint);\n";
    await p.write("20240101000000_a", original);
    expect((await p.run(["deploy"])).code).toBe(0);
    await p.write("20240101000000_a", edited);
    await p.write("20240102000000_b", "CREATE TABLE b (id int);\n");
    const run = await p.run(["deploy"]);
    expect(run.code, output(run)).toBe(4);
    expect(run.stderr).toContain(
      `error[EDITED_MIGRATION]: Migration 20240101000000_a was edited after it was applied: recorded checksum ${sha256(original)}, file checksum ${sha256(edited)}.\n`,
    );
    expect(await p.tables()).toEqual(["a"]);
    expect((await p.history()).map((row) => row.migration_name)).toEqual(["20240101000000_a"]);
  });

  it("refuses (exit 4) when the database has a migration the folder lacks, and runs nothing", async () => {
    const p = await project();
    await p.write("20240101000000_a", "CREATE TABLE a (id int);\n");
    await p.write("20240102000000_b", "CREATE TABLE b (id int);\n");
    expect((await p.run(["deploy"])).code).toBe(0);
    await p.remove("20240102000000_b");
    await p.write("20240103000000_c", "CREATE TABLE c (id int);\n");
    const run = await p.run(["deploy"]);
    expect(run.code, output(run)).toBe(4);
    expect(run.stderr).toContain("error[MISSING_LOCAL_MIGRATION]: The database has migration this release does not have: 20240102000000_b.\n");
    expect(await p.tables()).toEqual(["a", "b"]);
    const status = await p.run(["status", "--check"]);
    expect(status.code).toBe(3);
    expect(tableIn(status.stdout).map((row) => [row.STATE, row.MIGRATION])).toEqual([
      ["applied", "20240101000000_a"],
      ["missing", "20240102000000_b"],
      ["pending", "20240103000000_c"],
    ]);
  });
});

describe("bad arguments", () => {
  it("an unknown target is a usage error (exit 2) and runs nothing", async () => {
    const p = await project();
    await p.write("20240101000000_a", "CREATE TABLE a (id int);\n", "DROP TABLE a;\n");
    for (const [args, message] of [
      [["up", "nosuch"], 'error[UNKNOWN_TARGET]: No migration is named "nosuch".\n  fix: Known migrations: 20240101000000_a.\n'],
      [["up", "+2"], "error[INVALID_TARGET]: up +2: only 1 migration is pending.\n"],
      [["up", "head;DROP"], 'error[INVALID_TARGET]: "head;DROP" is not a target.'],
      [["down", "nosuch"], 'error[UNKNOWN_TARGET]: No migration is named "nosuch".'],
      [["plan", "nosuch"], 'error[UNKNOWN_TARGET]: No migration is named "nosuch".'],
    ] as const) {
      const run = await p.run([...args]);
      expect(run.code, `${args.join(" ")}\n${output(run)}`).toBe(2);
      expect(run.stderr).toContain(message);
    }
    expect(await p.tables()).toEqual([]);
    expect(await p.history()).toEqual([]);
  });

  it("a --lock-wait that is not a duration is a usage error (exit 2), before connecting", async () => {
    const p = await project();
    await p.write("20240101000000_a", "CREATE TABLE a (id int);\n");
    for (const value of ["abc", "-5s", "10 minutes"]) {
      const run = await p.run(["--lock-wait", value, "deploy"]);
      expect(run.code, output(run)).toBe(2);
      expect(run.stderr).toBe(`error[INVALID_FLAG]: --lock-wait ${value}: not a duration. Use e.g. 30s, 500ms, 2min.\n`);
    }
    expect(await p.sql("SELECT to_regclass('_prisma_migrations') AS t")).toEqual([{ t: null }]);
    expect(await p.tables()).toEqual([]);
  });

  it("with no URL and no development server to fall back on (a production install), exits 2 asking for DATABASE_URL", async () => {
    const p = await project();
    await p.write("20240101000000_a", "CREATE TABLE a (id int);\n");
    // The app as `pnpm install --prod` lays it out: its own files and its runtime dependencies only,
    // so @repo/dev-postgres (a devDependency) cannot be imported.
    const appDir = path.resolve(import.meta.dirname, "..");
    const root = await mkdtemp(path.join(tmpdir(), "migrator-prod-"));
    onTestFinished(() => rm(root, { recursive: true, force: true }));
    for (const entry of ["bin", "src", "package.json"]) await cp(path.join(appDir, entry), path.join(root, entry), { recursive: true });
    await mkdir(path.join(root, "node_modules", "@repo"), { recursive: true });
    for (const dependency of ["@repo/db", "@repo/migrate", "@repo/redact", "commander", "tsx"]) {
      await symlink(path.join(appDir, "node_modules", dependency), path.join(root, "node_modules", dependency), "dir");
    }
    const bin = path.join(root, "bin", "migrator.js");

    const run = await migrator([...p.flags(null), "deploy"], { cwd: p.root, bin });
    expect(run.code, output(run)).toBe(2);
    expect(run.stderr).toBe(
      "error[NO_DATABASE_URL]: No database: DATABASE_URL is not set and --url was not given.\n  fix: Set DATABASE_URL=postgresql://user:password@host:5432/database (from a Secret in Kubernetes).\n",
    );
    expect(await p.tables()).toEqual([]);
    // The same copy works once DATABASE_URL is set: only the URL was missing.
    const withUrl = await migrator([...p.flags(null), "deploy"], { cwd: p.root, bin, env: cleanEnv({ DATABASE_URL: p.url }) });
    expect(withUrl.code, output(withUrl)).toBe(0);
    expect(await p.tables()).toEqual(["a"]);
  });

  it("a URL that is not a PostgreSQL URL is a usage error (exit 2), shown without its password", async () => {
    const p = await project();
    await p.write("20240101000000_a", "CREATE TABLE a (id int);\n");
    for (const url of ["mysql://root:hunter2@localhost:3306/app", "postgresql://app:hunter2@db:notaport/app", "hunter2"]) {
      const run = await p.run(["deploy"], { url });
      expect(run.code, `${url}\n${output(run)}`).toBe(2);
      expect(run.stderr).toMatch(/^error\[INVALID_URL\]: The database URL (must start with postgresql:\/\/|is not a valid PostgreSQL URL)/);
      if (url !== "hunter2") expect(output(run)).not.toContain("hunter2");
    }
    // A variable holding a non-URL is the same mistake.
    const fromEnv = await p.run(["deploy"], { url: null, env: cleanEnv({ DATABASE_URL: "mysql://root:hunter2@localhost:3306/app" }) });
    expect(fromEnv.code, output(fromEnv)).toBe(2);
    expect(output(fromEnv)).not.toContain("hunter2");
    expect(await p.tables()).toEqual([]);
  });
});

describe("the database", () => {
  it("an unreachable server exits 5, naming host and port", async () => {
    const p = await project();
    await p.write("20240101000000_a", "CREATE TABLE a (id int);\n");
    const run = await p.run(["deploy"], { url: "postgresql://postgres:hunter2@127.0.0.1:1/app" });
    expect(run.code, output(run)).toBe(5);
    expect(run.stderr).toBe(
      "error[DATABASE_UNREACHABLE]: Cannot reach PostgreSQL at 127.0.0.1:1 (ECONNREFUSED).\n  fix: Is the server running, and is the host and port in DATABASE_URL (or --url) right?\n",
    );
  });

  it("a role that may not create tables deploys a data migration, and a CREATE TABLE migration fails with SQLSTATE 42501 (exit 1), nothing of it applied", async () => {
    const p = await project();
    await p.write("20240101000000_t", "CREATE TABLE t (id int);\n");
    expect((await p.run(["deploy"])).code).toBe(0);

    // A deploy role with data privileges only: LOGIN, no CREATE on the database or on the schema.
    const role = `migrator_dml_${randomBytes(4).toString("hex")}`;
    const password = randomBytes(9).toString("base64url");
    await p.sql(`CREATE ROLE ${role} LOGIN PASSWORD '${password}'`);
    onTestFinished(async () => {
      await p.sql(`DROP OWNED BY ${role}`);
      await sqlOn(inject("serverUrl"), `DROP ROLE ${role}`);
    });
    await p.sql(`REVOKE CREATE ON SCHEMA public FROM PUBLIC; GRANT SELECT, INSERT, UPDATE ON ALL TABLES IN SCHEMA public TO ${role}`);
    const asRole = new URL(p.url);
    asRole.username = role;
    asRole.password = password;

    await p.write("20240102000000_seed", "INSERT INTO t VALUES (1);\n");
    const data = await p.run(["deploy"], { url: asRole.toString() });
    expect(data.code, output(data)).toBe(0);
    expect(await p.sql("SELECT id FROM t")).toEqual([{ id: 1 }]);

    await p.write("20240103000000_x", "CREATE TABLE x (id int);\nINSERT INTO t VALUES (2);\n");
    const ddl = await p.run(["deploy"], { url: asRole.toString() });
    expect(ddl.code, output(ddl)).toBe(1);
    expect(ddl.stderr).toContain(
      "error[MIGRATION_FAILED]: Migration 20240103000000_x (up) failed [SQLSTATE 42501]: 20240103000000_x/migration.sql:1:14: permission denied for schema public\n",
    );
    expect(output(ddl)).not.toContain(password);
    expect(await p.tables()).toEqual(["t"]);
    expect(await p.sql("SELECT id FROM t ORDER BY id")).toEqual([{ id: 1 }]);
    expect((await p.history()).map((row) => [row.migration_name, row.finished])).toEqual([
      ["20240101000000_t", true],
      ["20240102000000_seed", true],
      ["20240103000000_x", false],
    ]);
  });

  it("waits --lock-wait for the migration lock another session holds, then exits 5 naming the holder's pid and application", async () => {
    const p = await project();
    await p.write("20240101000000_a", "CREATE TABLE a (id int);\n");
    // The same key held in another database on the server (another app's deploy) is not this lock.
    const elsewhere = await createTestDatabase(inject("serverUrl"), { prefix: "migrator_other_" });
    onTestFinished(() => elsewhere.drop());
    const otherApp = await session(elsewhere.url, "other-app-deploy");
    await otherApp.query("SELECT pg_advisory_lock($1)", [MIGRATION_LOCK_KEY]);
    const holder = await session(p.url, "release-train-42");
    const [{ pid } = { pid: 0 }] = (await holder.query<{ pid: number }>("SELECT pg_backend_pid() AS pid, pg_advisory_lock($1)", [MIGRATION_LOCK_KEY])).rows;
    const started = Date.now();
    const run = await p.run(["--lock-wait", "1s", "deploy"]);
    const elapsed = Date.now() - started;
    expect(run.code, output(run)).toBe(5);
    expect(run.stderr).toContain(`Waiting up to 1 s for the migration lock, held by pid ${pid}, application "release-train-42"`);
    expect(run.stderr).toMatch(new RegExp(`error\\[LOCK_TIMEOUT\\]: Another migration run holds the migration lock \\(pid ${pid}, application "release-train-42".*\\); gave up after 1 s\\.\n`));
    expect(run.stderr).not.toContain("other-app-deploy");
    expect(elapsed).toBeGreaterThanOrEqual(1000);
    expect(await p.sql("SELECT to_regclass('_prisma_migrations') AS t")).toEqual([{ t: null }]);
    expect(await p.tables()).toEqual([]);
  });
});
