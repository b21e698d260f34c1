// Both ways with the Prisma CLI: a database deployed by this engine satisfies `prisma migrate status`
// and `prisma migrate deploy`; one deployed by Prisma satisfies this engine; rollbacks read as pending.
import { mkdtemp, rm, symlink, writeFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import path from "node:path";
import { runPrisma } from "@repo/prisma-engine";
import { describe, expect, it, onTestFinished } from "vitest";
import pg from "pg";
import { deploy, down, getStatus, MIGRATION_LOCK_KEY } from "../src/index.ts";
import { project, type Project } from "./helpers.ts";

/** Waits until `predicate` holds (a state, polled), failing after `ms`. */
async function until(what: string, predicate: () => Promise<boolean>, ms = 30_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await predicate())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for: ${what}`);
    await new Promise((resolve) => setImmediate(resolve));
  }
}

/** Sessions holding (granted) or waiting for (not granted) the migration lock. */
async function lockSessions(p: Project, granted: boolean): Promise<number> {
  const rows = await p.sql<{ n: number }>(
    // Advisory locks are per database; other test files run deploys in their own databases meanwhile.
    "SELECT count(*)::int AS n FROM pg_locks WHERE locktype = 'advisory' AND classid = 0 AND objid = $1 AND objsubid = 1 AND granted = $2 AND database = (SELECT oid FROM pg_database WHERE datname = current_database())",
    [MIGRATION_LOCK_KEY, granted],
  );
  return rows[0]?.n ?? 0;
}

/** Holds an exclusive lock on `table` in an open transaction until released, so a migration touching it waits. */
async function blockTable(p: Project, table: string) {
  const client = new pg.Client({ connectionString: p.url });
  await client.connect();
  await client.query("BEGIN");
  await client.query(`LOCK TABLE ${table} IN ACCESS EXCLUSIVE MODE`);
  let done = false;
  const release = async () => {
    if (done) return;
    done = true;
    await client.query("COMMIT");
    await client.end();
  };
  onTestFinished(release);
  return release;
}

/** A Prisma project (schema + config) whose migrations folder is the test project's. */
async function prismaFor(p: Project) {
  const root = await mkdtemp(path.join(tmpdir(), "prisma-interop-"));
  onTestFinished(() => rm(root, { recursive: true, force: true }));
  const prismaPackage = path.dirname(createRequire(import.meta.resolve("@repo/prisma-engine")).resolve("prisma/package.json"));
  await symlink(path.dirname(path.dirname(prismaPackage)), path.join(root, "node_modules"), "dir");
  await writeFile(path.join(root, "schema.prisma"), 'datasource db {\n  provider = "postgresql"\n}\n');
  await writeFile(
    path.join(root, "prisma.config.ts"),
    `import { defineConfig } from "prisma/config";\nexport default defineConfig({ schema: "schema.prisma", migrations: { path: ${JSON.stringify(p.dir)} }, datasource: { url: process.env.DATABASE_URL ?? "" } });\n`,
  );
  return (args: string[]) => runPrisma(args, { cwd: root, stdio: "pipe", env: { ...process.env, DATABASE_URL: p.url, NO_COLOR: "1" } });
}

const output = (run: { stdout: string; stderr: string }) => `${run.stdout}\n${run.stderr}`;

describe("interoperability with the Prisma CLI", () => {
  it("Prisma reads a database this engine deployed as up to date, with nothing to deploy", async () => {
    const p = await project();
    await p.write("20240101000000_users", "CREATE TABLE users (id serial PRIMARY KEY);\n", "DROP TABLE users;\n");
    await p.write("20240102000000_posts", "CREATE TABLE posts (id serial PRIMARY KEY);\n", "DROP TABLE posts;\n");
    expect((await deploy(p.options)).ok).toBe(true);
    const prisma = await prismaFor(p);
    const status = await prisma(["migrate", "status"]);
    expect(status.exitCode, output(status)).toBe(0);
    expect(output(status)).toContain("Database schema is up to date!");
    const prismaDeploy = await prisma(["migrate", "deploy"]);
    expect(prismaDeploy.exitCode, output(prismaDeploy)).toBe(0);
    expect(output(prismaDeploy)).toContain("No pending migrations to apply.");
  });

  it("this engine reads a database Prisma deployed as at head", async () => {
    const p = await project();
    await p.write("20240101000000_users", "CREATE TABLE users (id serial PRIMARY KEY);\n");
    const prisma = await prismaFor(p);
    const run = await prisma(["migrate", "deploy"]);
    expect(run.exitCode, output(run)).toBe(0);
    const status = await getStatus(p.options);
    expect(status.atHead).toBe(true);
    expect(status.applied).toEqual(["20240101000000_users"]);
    expect((await deploy(p.options)).plan.steps).toEqual([]);
  });

  it("after a rollback, Prisma sees the migration pending and applies it again", async () => {
    const p = await project();
    await p.write("20240101000000_users", "CREATE TABLE users (id serial PRIMARY KEY);\n", "DROP TABLE users;\n");
    await deploy(p.options);
    await down(p.options);
    const prisma = await prismaFor(p);
    const status = await prisma(["migrate", "status"]);
    expect(status.exitCode).toBe(1);
    expect(output(status)).toMatch(/have not yet been applied:\n20240101000000_users/);
    const again = await prisma(["migrate", "deploy"]);
    expect(again.exitCode, output(again)).toBe(0);
    expect(await p.sql("SELECT count(*)::int AS n FROM pg_tables WHERE tablename = 'users'")).toEqual([{ n: 1 }]);
    expect((await getStatus(p.options)).atHead).toBe(true);
  });

  it("takes Prisma's lock: while this engine deploys, `prisma migrate deploy` waits, then finds nothing to do", async () => {
    const p = await project();
    await p.write("20240101000000_t", "CREATE TABLE t (id int);\n");
    await deploy(p.options);
    await p.write("20240102000000_insert", "-- migrate: lock_timeout=60s\nINSERT INTO t VALUES (1);\n");
    const release = await blockTable(p, "t");
    const ours = deploy(p.options);
    await until("the migrator holds the migration lock", async () => (await lockSessions(p, true)) === 1);
    const prisma = await prismaFor(p);
    const theirs = prisma(["migrate", "deploy"]);
    await until("prisma migrate deploy waits for the lock", async () => (await lockSessions(p, false)) === 1);
    await release();
    expect((await ours).ok).toBe(true);
    const run = await theirs;
    expect(run.exitCode, output(run)).toBe(0);
    expect(output(run)).toContain("No pending migrations to apply.");
    expect(await p.sql("SELECT count(*)::int AS n FROM t")).toEqual([{ n: 1 }]);
  });

  it("waits for Prisma's lock: while `prisma migrate deploy` runs, this engine waits, then finds nothing to do", async () => {
    const p = await project();
    await p.write("20240101000000_t", "CREATE TABLE t (id int);\n");
    await deploy(p.options);
    await p.write("20240102000000_insert", "INSERT INTO t VALUES (1);\n");
    const release = await blockTable(p, "t");
    const prisma = await prismaFor(p);
    const theirs = prisma(["migrate", "deploy"]);
    await until("prisma holds the migration lock", async () => (await lockSessions(p, true)) === 1);
    const ours = deploy(p.options);
    await until("the migrator waits for the lock", async () => (await lockSessions(p, false)) === 1);
    expect(p.events.some((e) => e.fields?.event === "lock_wait")).toBe(true);
    await release();
    const run = await theirs;
    expect(run.exitCode, output(run)).toBe(0);
    const result = await ours;
    expect(result.ok).toBe(true);
    expect(result.plan.steps).toEqual([]);
    expect(await p.sql("SELECT count(*)::int AS n FROM t")).toEqual([{ n: 1 }]);
  });

  it("Prisma reports this engine's failed migration as failed (P3009), truthfully", async () => {
    const p = await project();
    await p.write("20240101000000_bad", "INSERT INTO no_such_table VALUES (1);\n");
    expect((await deploy(p.options)).ok).toBe(false);
    const prisma = await prismaFor(p);
    const run = await prisma(["migrate", "deploy"]);
    expect(run.exitCode).toBe(1);
    expect(output(run)).toContain("P3009");
  });
});
