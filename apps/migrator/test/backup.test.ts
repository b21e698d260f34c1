// `migrator deploy --backup <dir>`: a pg_dump of the database, under the migration lock, before the
// first step; restorable to the state before the deploy; and no deploy at all when it cannot be taken.
import { execFile, spawnSync } from "node:child_process";
import { chmod, mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { createTestDatabase, startEphemeralServer } from "@repo/dev-postgres";
import { afterAll, beforeAll, describe, expect, inject, it, onTestFinished } from "vitest";
import { cleanEnv, migrator, output, project, sqlOn, waitFor, type Project } from "./helpers.ts";

const run = promisify(execFile);

// PostgreSQL's client programs, which most of these tests run for real. A machine with only Node.js
// (the quick start's, on the embedded server) has none: those tests are skipped there, saying why;
// CI, which has them, fails instead of skipping.
const missingClients = ["pg_dump", "pg_restore", "psql"].filter((tool) => spawnSync(tool, ["--version"], { stdio: "ignore" }).status !== 0);
if (missingClients.length && process.env.CI) throw new Error(`The backup tests need PostgreSQL's client programs: ${missingClients.join(", ")} not found (apt-get install postgresql-client).`);
if (missingClients.length) process.stderr.write(`backup.test.ts: skipping tests that run ${missingClients.join(", ")} (not installed; apt-get install postgresql-client).\n`);
/** A test that runs the real pg_dump, pg_restore or psql. */
const withClients = it.skipIf(missingClients.length > 0);

const ACCOUNT = "20240101000000_account";
const DROP_NOTE = "20240102000000_drop_note";

/** A project with `account` (two rows) deployed and a pending migration that drops a column and adds a table. */
async function deployedWithPending(): Promise<Project> {
  const p = await project();
  await p.write(ACCOUNT, "CREATE TABLE account (id int PRIMARY KEY, email text NOT NULL, note text);\nINSERT INTO account VALUES (1, 'a@example.com', 'keep me'), (2, 'b@example.com', NULL);\n");
  const first = await p.run(["deploy"]);
  expect(first.code, output(first)).toBe(0);
  await p.write(DROP_NOTE, "ALTER TABLE account DROP COLUMN note;\nCREATE TABLE audit (id int);\n", "DROP TABLE audit;\nALTER TABLE account ADD COLUMN note text;\n");
  return p;
}

/** What a restore must give back: the tables, account's columns and rows, and the applied migrations. */
async function snapshot(url: string) {
  return {
    tables: (await sqlOn<{ t: string }>(url, "SELECT tablename AS t FROM pg_tables WHERE schemaname = 'public' ORDER BY 1")).map((r) => r.t),
    columns: (await sqlOn<{ c: string }>(url, "SELECT column_name AS c FROM information_schema.columns WHERE table_name = 'account' ORDER BY ordinal_position")).map((r) => r.c),
    rows: await sqlOn(url, "SELECT * FROM account ORDER BY id"),
    migrations: await sqlOn(url, "SELECT id, migration_name, checksum, finished_at, applied_steps_count FROM _prisma_migrations ORDER BY started_at"),
  };
}

/** A folder for scripts and backups, removed when the test ends. */
async function scratch(): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), "migrator-backup-"));
  onTestFinished(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

async function script(dir: string, name: string, body: string): Promise<string> {
  const file = path.join(dir, name);
  await writeFile(file, `#!/bin/sh\n${body}\n`);
  await chmod(file, 0o755);
  return file;
}

/** Nothing of the pending migration ran: the column is still there, no audit table, no record of it. */
async function expectNothingApplied(p: Project): Promise<void> {
  expect(await p.tables()).toEqual(["account"]);
  expect((await p.sql<{ c: string }>("SELECT column_name AS c FROM information_schema.columns WHERE table_name = 'account' ORDER BY ordinal_position")).map((r) => r.c)).toEqual(["id", "email", "note"]);
  expect((await p.history()).map((h) => h.migration_name)).toEqual([ACCOUNT]);
}

describe("deploy --backup", () => {
  withClients("dumps the database before applying; the dump restores the schema, rows and migration records of before", async () => {
    const p = await deployedWithPending();
    const before = await snapshot(p.url);
    const dir = path.join(await scratch(), "backups", "nested");

    const deploy = await p.run(["--json", "deploy", "--backup", dir]);
    expect(deploy.code, output(deploy)).toBe(0);
    const files = await readdir(dir);
    const database = new URL(p.url).pathname.slice(1);
    expect(files).toEqual([expect.stringMatching(new RegExp(`^${database}-\\d{8}T\\d{6}Z-before-${DROP_NOTE}\\.dump$`))]);
    const file = path.join(dir, files[0] as string);
    const { size, mode } = await stat(file);
    expect(mode & 0o077, "the dump holds every row: only its owner may read it").toBe(0);

    // --json: the backup as an event (path, size, duration) before the steps, and in the summary.
    const events = deploy.stdout.trim().split("\n").map((line) => JSON.parse(line) as Record<string, unknown>);
    const backupAt = events.findIndex((e) => e.event === "backup");
    expect(events[backupAt]).toMatchObject({ file, bytes: size, durationMs: expect.any(Number), database });
    expect(backupAt).toBeLessThan(events.findIndex((e) => e.name === DROP_NOTE));
    expect(events.at(-1)).toMatchObject({ summary: true, ok: true, done: 1, backup: { file, bytes: size } });
    expect((await snapshot(p.url)).columns).toEqual(["id", "email"]);

    // The README's restore into a new database gives back exactly the state before the deploy.
    const fresh = await createTestDatabase(inject("serverUrl"), { prefix: "migrator_restore_" });
    onTestFinished(() => fresh.drop());
    await run("pg_restore", ["--no-owner", "--exit-on-error", "-d", fresh.url, file]);
    expect(await snapshot(fresh.url)).toEqual(before);

    // And in place: --clean --create drops the deployed database and recreates it from the dump.
    await run("pg_restore", ["--clean", "--if-exists", "--create", "--no-owner", "--exit-on-error", "-d", inject("serverUrl"), file]);
    expect(await snapshot(p.url)).toEqual(before);
    const status = await p.run(["status", "--json"]);
    expect(JSON.parse(status.stdout)).toMatchObject({ atHead: false, current: ACCOUNT });
  });

  withClients("runs pg_dump while holding the migration lock, with the password in its environment, never in its arguments or the output", async () => {
    const p = await deployedWithPending();
    const password = "Sup3r-Secret-Backup-Pw";
    const url = new URL(p.url);
    url.password = password; // the test server trusts local connections: any password is accepted
    const work = await scratch();
    const seen = path.join(work, "seen");
    await mkdir(seen);
    const recording = await script(
      work,
      "pg_dump-recording",
      `[ "$1" = "--version" ] && exec pg_dump --version
printf '%s\\n' "$@" > ${seen}/argv
printf '%s' "$PGPASSWORD" > ${seen}/password
psql -Atc "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND granted AND classid = 0 AND objid = 72707369 AND database = (SELECT oid FROM pg_database WHERE datname = current_database())" > ${seen}/lock
psql -Atc "SELECT to_regclass('audit') IS NULL" > ${seen}/before-deploy
exec pg_dump "$@"`,
    );

    for (const json of [false, true]) {
      const dir = path.join(work, json ? "json" : "text");
      if (json) await p.run(["down", "-1"]);
      const deploy = await p.run([...(json ? ["--json"] : []), "deploy", "--backup", dir, "--pg-dump", recording], { url: url.toString() });
      expect(deploy.code, output(deploy)).toBe(0);
      expect(await readdir(dir)).toHaveLength(1);
      expect(output(deploy)).toContain(`Backup written: ${dir}/`);
      expect(output(deploy)).not.toContain(password);
      const argv = await readFile(path.join(seen, "argv"), "utf8");
      expect(argv).toContain("--format=custom");
      expect(argv).not.toContain(password);
      expect(argv).not.toMatch(/postgres(ql)?:\/\//);
      expect(await readFile(path.join(seen, "password"), "utf8")).toBe(password);
      expect((await readFile(path.join(seen, "lock"), "utf8")).trim(), "the migrator holds its lock during the dump").toBe("1");
      expect((await readFile(path.join(seen, "before-deploy"), "utf8")).trim(), "nothing applied before the dump").toBe("t");
    }
  });

  it("takes no backup when nothing is pending, and says so", async () => {
    const p = await deployedWithPending();
    expect((await p.run(["deploy"])).code).toBe(0);
    const dir = path.join(await scratch(), "backups");
    const text = await p.run(["deploy", "--backup", dir]);
    expect(text.code, output(text)).toBe(0);
    expect(text.stderr).toContain("Nothing pending: no backup taken");
    const json = await p.run(["--json", "deploy"], { env: cleanEnv({ MIGRATOR_BACKUP_DIR: dir }) });
    expect(json.code, output(json)).toBe(0);
    expect(json.stdout).toContain('"event":"backup_skipped","reason":"nothing pending"');
    await expect(stat(dir)).rejects.toMatchObject({ code: "ENOENT" });
  });

  withClients("backs up before a pending data migration too", async () => {
    const p = await deployedWithPending();
    await p.remove(DROP_NOTE);
    const notes = () => p.sql("SELECT id, note FROM account ORDER BY id");
    const before = await notes();
    await writeFile(
      path.join(p.root, "data-migrations", "20240101000001_fill_note.ts"),
      `export default { anchor: "${ACCOUNT}", async up({ sql }) { await sql.query("UPDATE account SET note = 'filled' WHERE note IS NULL"); } };\n`,
    );
    const dir = path.join(await scratch(), "backups");
    const deploy = await p.run(["deploy", "--backup", dir]);
    expect(deploy.code, output(deploy)).toBe(0);
    const files = await readdir(dir);
    expect(files).toEqual([expect.stringMatching(/-before-20240101000001_fill_note\.dump$/)]);
    expect(await notes()).toEqual([{ id: 1, note: "keep me" }, { id: 2, note: "filled" }]);
    const fresh = await createTestDatabase(inject("serverUrl"), { prefix: "migrator_restore_" });
    onTestFinished(() => fresh.drop());
    await run("pg_restore", ["--no-owner", "--exit-on-error", "-d", fresh.url, path.join(dir, files[0] as string)]);
    expect(await sqlOn(fresh.url, "SELECT id, note FROM account ORDER BY id")).toEqual(before);
  });

  it("says --pg-dump needs --backup", async () => {
    const p = await deployedWithPending();
    const deploy = await p.run(["deploy", "--pg-dump", "/usr/bin/pg_dump"]);
    expect(deploy.code, output(deploy)).toBe(2);
    expect(deploy.stderr).toContain("--pg-dump is the pg_dump for --backup, which was not given");
    await expectNothingApplied(p);
  });

  withClients("takes the backup from MIGRATOR_BACKUP_DIR, before a rollback too, and none with --no-backup", async () => {
    const p = await deployedWithPending();
    const dir = path.join(await scratch(), "from-env");
    const env = cleanEnv({ MIGRATOR_BACKUP_DIR: dir });
    const deploy = await p.run(["deploy"], { env });
    expect(deploy.code, output(deploy)).toBe(0);
    expect(await readdir(dir)).toEqual([expect.stringMatching(new RegExp(`-before-${DROP_NOTE}\\.dump$`))]);
    const down = await p.run(["down", "-1"], { env });
    expect(down.code, output(down)).toBe(0);
    expect((await readdir(dir)).filter((f) => f.endsWith(`-before-down-${DROP_NOTE}.dump`))).toHaveLength(1);
    const none = await p.run(["deploy", "--no-backup"], { env });
    expect(none.code, output(none)).toBe(0);
    expect(await readdir(dir)).toHaveLength(2);
    expect((await p.history()).at(-1)).toMatchObject({ migration_name: DROP_NOTE, finished: true, rolled_back: false });
  });

  withClients("refuses to deploy (exit 6, nothing applied) when the folder cannot be written", async () => {
    const p = await deployedWithPending();
    const work = await scratch();
    const file = path.join(work, "a-file");
    await writeFile(file, "");
    const inFile = await p.run(["deploy", "--backup", path.join(file, "backups")]);
    expect(inFile.code, output(inFile)).toBe(6);
    expect(inFile.stderr).toContain(`error[BACKUP_DIR_UNWRITABLE]: Cannot write the backup into ${path.join(file, "backups")} (a part of the path is a file)`);
    expect(inFile.stderr).toMatch(/fix: Point --backup \(or MIGRATOR_BACKUP_DIR\) at a folder/);
    await expectNothingApplied(p);

    // A folder the migrator may not write. Root writes anywhere whatever the mode, so as root the folder
    // is mounted read-only in a mount namespace of the migrator's own (no other user needs to reach the
    // checkout, which CI may clone into a folder closed to others).
    const readOnly = path.join(work, "read-only");
    await mkdir(readOnly);
    await chmod(readOnly, 0o555);
    const asRoot = process.getuid?.() === 0;
    const denied = await migrator([...p.flags(), "deploy", "--backup", readOnly], {
      cwd: p.root,
      env: cleanEnv({ HOME: tmpdir() }),
      ...(asRoot ? { wrap: (argv: string[]) => ({ command: "unshare", args: ["--mount", "--", "sh", "-c", 'mount --bind -o ro "$0" "$0" && exec "$@"', readOnly, ...argv] }) } : {}),
    });
    expect(denied.code, output(denied)).toBe(6);
    expect(denied.stderr).toContain(`Cannot write the backup into ${readOnly} (${asRoot ? "read-only file system" : "permission denied"})`);
    expect(await readdir(readOnly)).toEqual([]);
    await expectNothingApplied(p);
  });

  it("refuses to deploy when pg_dump is not found, naming the fix", async () => {
    const p = await deployedWithPending();
    const dir = path.join(await scratch(), "backups");
    const flag = await p.run(["deploy", "--backup", dir, "--pg-dump", "/nonexistent/pg_dump"]);
    expect(flag.code, output(flag)).toBe(6);
    expect(flag.stderr).toContain("error[PG_DUMP_NOT_FOUND]: pg_dump was not found at /nonexistent/pg_dump");
    expect(flag.stderr).toMatch(/fix: Install the PostgreSQL client .*postgresql-client-<major>.*--pg-dump <path> \(or PG_DUMP\)/);

    const noPath = await p.run(["--json", "deploy", "--backup", dir], { env: cleanEnv({ PATH: "/nonexistent" }) });
    expect(noPath.code, output(noPath)).toBe(6);
    expect(JSON.parse(noPath.stdout.trim().split("\n").at(-1) as string)).toMatchObject({ error: { code: "PG_DUMP_NOT_FOUND", message: expect.stringContaining('pg_dump was not found ("pg_dump" on PATH)') } });
    await expect(stat(dir)).rejects.toMatchObject({ code: "ENOENT" });
    await expectNothingApplied(p);
  });

  it("removes the partial file and applies nothing when pg_dump fails", async () => {
    const p = await deployedWithPending();
    const work = await scratch();
    // Writes part of a dump, then fails as pg_dump does on a full disk.
    const failing = await script(
      work,
      "pg_dump-full-disk",
      `[ "$1" = "--version" ] && { echo "pg_dump (PostgreSQL) 99.0"; exit 0; }
for arg in "$@"; do case "$arg" in --file=*) printf 'PGDMP partial' > "\${arg#--file=}";; esac; done
echo "pg_dump: error: could not write to file: No space left on device" >&2
exit 1`,
    );
    const dir = path.join(work, "backups");
    const deploy = await p.run(["deploy", "--backup", dir, "--pg-dump", failing]);
    expect(deploy.code, output(deploy)).toBe(6);
    expect(deploy.stderr).toContain("error[BACKUP_FAILED]: pg_dump exited with code 1: pg_dump: error: could not write to file: No space left on device");
    expect(deploy.stderr).toContain("The partial file was removed and nothing was run.");
    expect(await readdir(dir)).toEqual([]);
    await expectNothingApplied(p);
  });

  it("stops on SIGTERM during the backup: exit 75, the partial file removed, nothing applied", async () => {
    const p = await deployedWithPending();
    const work = await scratch();
    const slow = await script(
      work,
      "pg_dump-slow",
      `[ "$1" = "--version" ] && { echo "pg_dump (PostgreSQL) 99.0"; exit 0; }
for arg in "$@"; do case "$arg" in --file=*) printf 'PGDMP' > "\${arg#--file=}";; esac; done
exec sleep 60`,
    );
    const dir = path.join(work, "backups");
    const started = p.start(["deploy", "--backup", dir, "--pg-dump", slow]);
    await waitFor("the backup to start", async () => started.stderr().includes("Backing up"));
    started.child.kill("SIGTERM");
    const run = await started.done;
    expect(run.code, output(run)).toBe(75);
    expect(await readdir(dir)).toEqual([]);
    await expectNothingApplied(p);
  });
});

describe.skipIf(missingClients.length > 0)("deploy --backup against a server newer than pg_dump (the embedded PostgreSQL 18)", () => {
  let server: Awaited<ReturnType<typeof startEphemeralServer>>;
  let clientMajor: number;

  beforeAll(async () => {
    server = await startEphemeralServer({ log: () => {} });
    clientMajor = Number(/\(PostgreSQL\) (\d+)/.exec((await run("pg_dump", ["--version"])).stdout)?.[1]);
  });
  afterAll(() => server?.stop());

  it("refuses before anything runs, naming both versions and the fix", async ({ skip }) => {
    if (clientMajor >= 18) skip("this machine's pg_dump can dump PostgreSQL 18");
    const p = await project();
    await p.write(ACCOUNT, "CREATE TABLE account (id int PRIMARY KEY);\n");
    const db = await createTestDatabase(server.url, { prefix: "migrator_pg18_" });
    onTestFinished(() => db.drop());
    const dir = path.join(await scratch(), "backups");
    const deploy = await p.run(["deploy", "--backup", dir], { url: db.url });
    expect(deploy.code, output(deploy)).toBe(6);
    expect(deploy.stderr).toMatch(new RegExp(`error\\[PG_DUMP_TOO_OLD\\]: pg_dump ${clientMajor}\\.\\d+ \\(pg_dump\\) cannot dump this PostgreSQL 18\\.\\d+ server`));
    expect(deploy.stderr).toMatch(/fix: Install postgresql-client-18 \(or newer\).*--pg-dump <path> \(or PG_DUMP\)/);
    expect(await sqlOn(db.url, "SELECT to_regclass('account') IS NULL AS absent, (SELECT count(*)::int FROM _prisma_migrations) AS records")).toEqual([{ absent: true, records: 0 }]);
    await expect(stat(dir)).rejects.toMatchObject({ code: "ENOENT" });
  });
});
