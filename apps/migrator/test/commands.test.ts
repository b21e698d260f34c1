// The migrator's everyday commands, run as the real process: deploy, status (text, --json, --check),
// history, current, plan / --dry-run, up, down.
import { createHash } from "node:crypto";
import { redactUrl } from "@repo/redact";
import { describe, expect, it } from "vitest";
import { output, project, tableIn, type Project } from "./helpers.ts";

const sha256 = (text: string) => createHash("sha256").update(text, "utf8").digest("hex");

const USERS = { name: "20240101000000_users", up: "CREATE TABLE users (id serial PRIMARY KEY, email text NOT NULL);\n", down: "DROP TABLE users;\n" };
const POSTS = { name: "20240102000000_posts", up: "CREATE TABLE posts (id serial PRIMARY KEY, user_id int REFERENCES users(id));\n", down: "DROP TABLE posts;\n" };
const BIO = { name: "20240103000000_bio", up: "ALTER TABLE users ADD COLUMN bio varchar(500);\n", down: "ALTER TABLE users DROP COLUMN bio;\n" };

async function withThree(options: { bioReversible?: boolean } = {}): Promise<Project> {
  const p = await project();
  await p.write(USERS.name, USERS.up, USERS.down);
  await p.write(POSTS.name, POSTS.up, POSTS.down);
  await p.write(BIO.name, BIO.up, options.bioReversible === false ? undefined : BIO.down);
  return p;
}

/** Each line of --json output parsed: every line must be one JSON object. */
function jsonLines(stdout: string): Record<string, unknown>[] {
  const lines = stdout.split("\n").filter((line) => line !== "");
  return lines.map((line) => {
    const value: unknown = JSON.parse(line);
    expect(value, line).toBeTypeOf("object");
    return value as Record<string, unknown>;
  });
}

const bioColumn = (p: Project) => p.sql("SELECT count(*)::int AS n FROM information_schema.columns WHERE table_name = 'users' AND column_name = 'bio'");
const UUID = /'[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}'/g;

describe("deploy and status", () => {
  it("deploy applies every pending migration; status then shows an aligned table ending in “At head.”", async () => {
    const p = await withThree();
    const deploy = await p.run(["deploy"]);
    expect(deploy.code, output(deploy)).toBe(0);
    expect(deploy.stdout).toMatch(new RegExp(`^✔ applied  ${USERS.name}  \\d+ ms\n✔ applied  ${POSTS.name}  \\d+ ms\n✔ applied  ${BIO.name}  \\d+ ms\n\n3 migrations applied.\n$`));
    expect(await p.tables()).toEqual(["posts", "users"]);

    const status = await p.run(["status"]);
    expect(status.code, output(status)).toBe(0);
    const lines = status.stdout.trimEnd().split("\n");
    expect(lines.slice(0, 3)).toEqual([`Database  ${redactUrl(p.url)}`, `Current   ${BIO.name}`, ""]);
    expect(lines[3]).toMatch(/^ {2}STATE {2,}.*MIGRATION {2,}APPLIED AT \(UTC\) {2,}DURATION {2,}DOWN$/);
    const rows = tableIn(status.stdout);
    expect(rows.map((row) => [row.STATE, row.MIGRATION, row.DOWN])).toEqual([USERS, POSTS, BIO].map((m) => ["applied", m.name, "yes"]));
    for (const row of rows) {
      expect(row["APPLIED AT (UTC)"]).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/);
      expect(row.DURATION).toMatch(/^\d+ ms$/);
    }
    expect(lines.slice(4 + rows.length)).toEqual(["", "3 applied. At head."]);
  });

  it("status --json prints one parseable JSON object per line, with atHead and each migration's state", async () => {
    const p = await withThree();
    const pending = await p.run(["status", "--json"]);
    expect(pending.code, output(pending)).toBe(0);
    const pendingLines = jsonLines(pending.stdout);
    expect(pendingLines).toHaveLength(1);
    expect(pendingLines[0]).toMatchObject({
      database: redactUrl(p.url),
      current: null,
      atHead: false,
      migrations: [USERS, POSTS, BIO].map((m) => ({ name: m.name, state: "pending", appliedAt: null, durationMs: null, reversible: true })),
    });

    const deploy = await p.run(["deploy", "--json"]);
    expect(deploy.code, output(deploy)).toBe(0);
    const events = jsonLines(deploy.stdout);
    // Log events (level, message) come first, interleaved; the results are the objects without a level.
    expect(events.filter((e) => "level" in e).every((e) => typeof e.message === "string")).toBe(true);
    expect(events.filter((e) => !("level" in e) && "outcome" in e).map((e) => [e.name, e.outcome, e.mode])).toEqual([USERS, POSTS, BIO].map((m) => [m.name, "applied", "transaction"]));
    expect(events.at(-1)).toEqual({ summary: true, ok: true, planned: 3, done: 3, cleared: [] });

    const [status, ...rest] = jsonLines((await p.run(["status", "--json"])).stdout);
    expect(rest).toEqual([]);
    expect(status).toMatchObject({ current: BIO.name, atHead: true });
    for (const m of status?.migrations as { state: string; appliedAt: string; durationMs: number }[]) {
      expect(m).toMatchObject({ state: "applied", appliedAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/), durationMs: expect.any(Number) });
    }
  });

  it("status --check exits 0 at head and 3 while a migration is pending", async () => {
    const p = await withThree();
    expect((await p.run(["deploy"])).code).toBe(0);
    const atHead = await p.run(["status", "--check"]);
    expect(atHead.code, output(atHead)).toBe(0);

    await p.write("20240104000000_age", "ALTER TABLE users ADD COLUMN age int;\n");
    const behind = await p.run(["status", "--check"]);
    expect(behind.code, output(behind)).toBe(3);
    expect(tableIn(behind.stdout).at(-1)).toMatchObject({ STATE: "pending", MIGRATION: "20240104000000_age", "APPLIED AT (UTC)": "", DOWN: "no" });
    expect(behind.stdout).toContain("3 applied, 1 pending.\nApply them with");
    expect(behind.stdout).not.toContain("At head.");
    const behindJson = await p.run(["status", "--check", "--json"]);
    expect(behindJson.code).toBe(3);
    expect(jsonLines(behindJson.stdout)[0]).toMatchObject({ atHead: false });

    expect((await p.run(["deploy"])).code).toBe(0);
    expect((await p.run(["status", "--check"])).code).toBe(0);
  });
});

describe("history and current", () => {
  it("on a new database, current says nothing is applied and history that nothing has run", async () => {
    const p = await withThree();
    const current = await p.run(["current"]);
    expect([current.code, current.stdout]).toEqual([0, "(nothing applied)\n"]);
    const history = await p.run(["history"]);
    expect([history.code, history.stdout]).toEqual([0, "No migration has run on this database.\n"]);
  });

  it("history lists every run, rollbacks included, and current names the last applied migration", async () => {
    const p = await withThree();
    expect((await p.run(["deploy"])).code).toBe(0);
    expect((await p.run(["down", "-1"])).code).toBe(0);

    const history = await p.run(["history"]);
    expect(history.code, output(history)).toBe(0);
    expect(history.stdout).toMatch(/^ {2}STARTED \(UTC\) {2,}OUTCOME {2,}.*MIGRATION {2,}DURATION {2,}ROLLED BACK \(UTC\)\n/);
    const rows = tableIn(history.stdout);
    expect(rows.map((row) => [row.OUTCOME, row.MIGRATION])).toEqual([
      ["applied", USERS.name],
      ["applied", POSTS.name],
      ["rolled back", BIO.name],
    ]);
    expect(rows.map((row) => row["ROLLED BACK (UTC)"])).toEqual(["", "", expect.stringMatching(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/)]);

    const json = await p.run(["history", "--json"]);
    expect(json.stdout.trimEnd().split("\n").map((line) => JSON.parse(line) as { name: string; outcome: string })).toMatchObject([
      { name: USERS.name, outcome: "applied" },
      { name: POSTS.name, outcome: "applied" },
      { name: BIO.name, outcome: "rolled back", rolledBackAt: expect.any(String) },
    ]);

    const current = await p.run(["current"]);
    expect([current.code, current.stdout]).toEqual([0, `${POSTS.name}\n`]);
    expect((await p.run(["current", "--json"])).stdout).toBe(`{"current":"${POSTS.name}"}\n`);
  });
});

describe("plan and --dry-run", () => {
  it("plan and deploy --dry-run print exactly the SQL that would run, and change nothing", async () => {
    const p = await project();
    await p.write(USERS.name, USERS.up, USERS.down);
    await p.write(POSTS.name, POSTS.up, POSTS.down);
    // Nothing is applied yet: one batch, one transaction for both, each migration recorded with its own start.
    const batched = (m: typeof USERS, lockTimeout: string, statementTimeout: string, first: boolean, last: boolean) =>
      [
        `-- ${m.name} (up, batch 1, 2 migrations in one transaction on this new database; if one fails, all run again one by one) from migration.sql`,
        ...(first ? ["BEGIN;"] : []),
        `SET LOCAL lock_timeout = '${lockTimeout}';`,
        `SET LOCAL statement_timeout = '${statementTimeout}';`,
        "SELECT set_config('migrator.step_started', clock_timestamp()::text, true);",
        m.up.trimEnd(),
        ";", // sent as one query with the script; the bookkeeping starts after a line of its own
        `INSERT INTO "_prisma_migrations" (id, checksum, finished_at, migration_name, logs, rolled_back_at, started_at, applied_steps_count) VALUES (<id>, '${sha256(m.up)}', clock_timestamp(), '${m.name}', NULL, NULL, current_setting('migrator.step_started')::timestamptz, 1) RETURNING migration_name AS migrator_migration, round(extract(epoch FROM finished_at - started_at) * 1000)::int AS migrator_duration_ms;`,
        ...(last ? ["COMMIT;"] : []),
      ].join("\n");
    const expected = (lockTimeout: string, statementTimeout: string) =>
      `-- 2 migrations to apply; the SQL below is exactly what would run.\n\n${batched(USERS, lockTimeout, statementTimeout, true, false)}\n\n${batched(POSTS, lockTimeout, statementTimeout, false, true)}\n`;

    const plan = await p.run(["plan"]);
    expect(plan.code, output(plan)).toBe(0);
    expect(plan.stdout.replaceAll(UUID, "<id>")).toBe(expected("5000ms", "600000ms"));
    const dryRun = await p.run(["--lock-timeout", "2s", "--statement-timeout", "1min", "deploy", "--dry-run"]);
    expect(dryRun.code, output(dryRun)).toBe(0);
    expect(dryRun.stdout.replaceAll(UUID, "<id>")).toBe(expected("2000ms", "60000ms"));
    expect(await p.tables()).toEqual([]);
    expect(await p.sql("SELECT to_regclass('_prisma_migrations') AS t")).toEqual([{ t: null }]);

    // Once something is applied, each migration is a transaction of its own. Every step but the last
    // commits without waiting for its WAL flush; the last one's flush covers them.
    expect((await p.run(["up", "+1"])).code).toBe(0);
    await p.write(BIO.name, BIO.up, BIO.down);
    const own = (m: typeof USERS, last: boolean) =>
      [
        `-- ${m.name} (up, one transaction) from migration.sql`,
        "BEGIN;",
        "SET LOCAL lock_timeout = '5000ms';",
        "SET LOCAL statement_timeout = '600000ms';",
        ...(last ? [] : ["SET LOCAL synchronous_commit = off;"]),
        m.up.trimEnd(),
        ";",
        `INSERT INTO "_prisma_migrations" (id, checksum, finished_at, migration_name, logs, rolled_back_at, started_at, applied_steps_count) VALUES (<id>, '${sha256(m.up)}', clock_timestamp(), '${m.name}', NULL, NULL, now(), 1);`,
        "COMMIT;",
      ].join("\n");
    const later = await p.run(["plan"]);
    expect(later.code, output(later)).toBe(0);
    expect(later.stdout.replaceAll(UUID, "<id>")).toBe(`-- 2 migrations to apply; the SQL below is exactly what would run.\n\n${own(POSTS, false)}\n\n${own(BIO, true)}\n`);
  });

  it("down --dry-run prints the down.sql and the history update, and rolls nothing back", async () => {
    const p = await withThree();
    expect((await p.run(["deploy"])).code).toBe(0);
    const [bio] = await p.sql<{ id: string }>(`SELECT id FROM _prisma_migrations WHERE migration_name = '${BIO.name}'`);
    const dryRun = await p.run(["down", "--dry-run"]);
    expect(dryRun.code, output(dryRun)).toBe(0);
    expect(dryRun.stdout).toBe(
      [
        "-- 1 migration to roll back; the SQL below is exactly what would run.",
        "",
        `-- ${BIO.name} (down, one transaction) from down.sql`,
        "BEGIN;",
        "SET LOCAL lock_timeout = '5000ms';",
        "SET LOCAL statement_timeout = '600000ms';",
        BIO.down.trimEnd(),
        ";",
        `UPDATE "_prisma_migrations" SET rolled_back_at = clock_timestamp() WHERE id = '${bio?.id}';`,
        "COMMIT;",
        "",
      ].join("\n"),
    );
    expect(await bioColumn(p)).toEqual([{ n: 1 }]);
    expect((await p.history()).filter((row) => row.rolled_back)).toEqual([]);
  });
});

describe("up and down", () => {
  it("up +1 applies only the next migration, and up <name> stops at that one", async () => {
    const p = await withThree();
    const one = await p.run(["up", "+1"]);
    expect(one.code, output(one)).toBe(0);
    expect(one.stdout).toMatch(new RegExp(`^✔ applied  ${USERS.name}  \\d+ ms\n\n1 migration applied.\n$`));
    expect(await p.tables()).toEqual(["users"]);

    const named = await p.run(["up", POSTS.name]);
    expect(named.code, output(named)).toBe(0);
    expect(named.stdout).toContain(`✔ applied  ${POSTS.name}`);
    expect(named.stdout).not.toContain(BIO.name);
    expect(await p.tables()).toEqual(["posts", "users"]);
    expect(await bioColumn(p)).toEqual([{ n: 0 }]);
    expect((await p.history()).map((row) => row.migration_name)).toEqual([USERS.name, POSTS.name]);
    const current = await p.run(["current"]);
    expect(current.stdout).toBe(`${POSTS.name}\n`);
  });

  it("down -1 rolls back the last migration with its down.sql; it is pending again and kept in history", async () => {
    const p = await withThree();
    expect((await p.run(["deploy"])).code).toBe(0);
    const down = await p.run(["down", "-1"]);
    expect(down.code, output(down)).toBe(0);
    expect(down.stdout).toMatch(new RegExp(`^✔ rolled back  ${BIO.name}  \\d+ ms\n\n1 migration rolled back.\n$`));
    expect(await bioColumn(p)).toEqual([{ n: 0 }]);
    expect(await p.tables()).toEqual(["posts", "users"]);
    expect((await p.history()).map((row) => [row.migration_name, row.rolled_back])).toEqual([
      [USERS.name, false],
      [POSTS.name, false],
      [BIO.name, true],
    ]);
    const check = await p.run(["status", "--check"]);
    expect(check.code).toBe(3);
    expect(tableIn(check.stdout).at(-1)).toMatchObject({ STATE: "pending", MIGRATION: BIO.name, DOWN: "yes" });
  });

  it("down refuses (exit 4), naming the migration, to roll back one without down.sql, and runs nothing", async () => {
    const p = await withThree({ bioReversible: false });
    expect((await p.run(["deploy"])).code).toBe(0);
    for (const target of [[], ["base"]]) {
      const down = await p.run(["down", ...target]);
      expect(down.code, output(down)).toBe(4);
      expect(down.stdout).toBe("");
      expect(down.stderr).toContain(`error[NO_DOWN_SCRIPT]: Cannot roll back ${BIO.name}: no down.sql beside its migration.sql. Nothing was run.\n`);
    }
    expect(await bioColumn(p)).toEqual([{ n: 1 }]);
    expect(await p.tables()).toEqual(["posts", "users"]);
    expect((await p.history()).filter((row) => row.rolled_back || !row.finished)).toEqual([]);
  });
});
