// `migrator lint`, run as the real process: exit codes (0 warnings only, 1 errors, 2 usage), --json
// lines, GitHub annotations, and the default selection (the pending migrations, from the database).
import { describe, expect, it } from "vitest";
import { output, project, type Project } from "./helpers.ts";

const USERS = { name: "20240101000000_users", up: "CREATE TABLE users (id bigserial PRIMARY KEY, email text NOT NULL);\n", down: "DROP TABLE users;\n" };
// A safe change that squawk still warns about (renaming breaks the running release's queries).
const RENAME = { name: "20240102000000_rename", up: "ALTER TABLE users RENAME COLUMN email TO address;\n", down: "ALTER TABLE users RENAME COLUMN address TO email;\n" };
const INDEX = { name: "20240103000000_index", up: "-- CreateIndex\nCREATE INDEX users_address_idx ON users (address);\n", down: "DROP INDEX CONCURRENTLY users_address_idx;\n" };

const jsonLines = (stdout: string) => stdout.split("\n").filter(Boolean).map((line) => JSON.parse(line) as Record<string, unknown>);

async function withMigrations(...migrations: { name: string; up: string; down: string }[]): Promise<Project> {
  const p = await project();
  for (const m of migrations) await p.write(m.name, m.up, m.down);
  return p;
}

describe("migrator lint", () => {
  it("--all --json exits 0 when there are only warnings, one JSON object per finding, note and summary", async () => {
    const p = await withMigrations(USERS, RENAME);
    const run = await p.run(["lint", "--all", "--json"], { url: null });
    expect(run.code, output(run)).toBe(0);
    const lines = jsonLines(run.stdout);
    expect(lines.find((l) => l.rule === "renaming-column")).toMatchObject({ severity: "warning", source: "squawk", file: `migrations/${RENAME.name}/migration.sql`, line: 1 });
    expect(lines.some((l) => typeof l.note === "string" && l.note.includes("dropped-still-in-schema skipped"))).toBe(true);
    expect(lines.at(-1)).toEqual({ summary: true, ok: true, migrations: [USERS.name, RENAME.name], errors: 0, warnings: 1, suppressed: 0 });
  });

  it("--all --json exits 1 on an error finding, naming the rule, the file and line, why, and the fix", async () => {
    const p = await withMigrations(USERS, RENAME, INDEX);
    const run = await p.run(["lint", "--all", "--json"], { url: null });
    expect(run.code, output(run)).toBe(1);
    const lines = jsonLines(run.stdout);
    expect(lines.find((l) => l.rule === "index-not-concurrent")).toEqual({
      rule: "index-not-concurrent",
      severity: "error",
      file: `migrations/${INDEX.name}/migration.sql`,
      line: 2,
      message: expect.stringContaining("blocks every write"),
      fix: expect.stringContaining("CREATE INDEX CONCURRENTLY"),
      source: "migrator",
    });
    expect(lines.at(-1)).toMatchObject({ summary: true, ok: false, errors: 1 });
  });

  it("text output shows each finding with its fix and a summary; a suppression with a reason makes it pass", async () => {
    const p = await withMigrations(USERS, RENAME, INDEX);
    const failing = await p.run(["lint", INDEX.name], { url: null });
    expect(failing.code, output(failing)).toBe(1);
    expect(failing.stdout).toContain(`error[index-not-concurrent] migrations/${INDEX.name}/migration.sql:2\n`);
    expect(failing.stdout).toMatch(/\n {2}fix: CREATE INDEX CONCURRENTLY/);
    expect(failing.stdout.trimEnd().split("\n").at(-1)).toBe("1 error, 0 warnings in 1 migration.");

    await p.write(INDEX.name, `-- migrate:allow index-not-concurrent users is empty until the launch\n${INDEX.up}`, INDEX.down);
    const passing = await p.run(["lint", "index"], { url: null });
    expect(passing.code, output(passing)).toBe(0);
    expect(passing.stdout.trimEnd().split("\n").at(-1)).toBe("0 errors, 0 warnings in 1 migration (1 suppressed).");
  });

  it("--format github prints workflow annotations for each finding", async () => {
    const p = await withMigrations(USERS, RENAME, INDEX);
    const run = await p.run(["lint", "--all", "--format", "github"], { url: null });
    expect(run.code, output(run)).toBe(1);
    const annotations = run.stdout.split("\n").filter((line) => line.startsWith("::"));
    expect(annotations).toContainEqual(expect.stringMatching(new RegExp(`^::error file=migrations/${INDEX.name}/migration\\.sql,line=2,title=index-not-concurrent \\(migrator\\)::.*%0AFix: CREATE INDEX CONCURRENTLY`)));
    expect(annotations).toContainEqual(expect.stringMatching(/^::warning file=.*,line=1,col=\d+,title=renaming-column \(squawk\)::/));
  });

  it("without names, --all or --since, lints the migrations the database has not applied", async () => {
    const p = await withMigrations(USERS, RENAME, INDEX);
    expect((await p.run(["up", "+2"])).code).toBe(0);
    const run = await p.run(["lint", "--json"]);
    expect(run.code, output(run)).toBe(1);
    expect(jsonLines(run.stdout).at(-1)).toMatchObject({ migrations: [INDEX.name], errors: 1 });
  });

  it("exits 2 for bad arguments, 5 when the pending migrations cannot be known, suggesting --all", async () => {
    const p = await withMigrations(USERS);
    expect((await p.run(["lint", "--all", USERS.name], { url: null })).code).toBe(2);
    expect((await p.run(["lint", "--all", "--format", "xml"], { url: null })).code).toBe(2);
    expect((await p.run(["lint", "no_such_migration"], { url: null })).code).toBe(2);
    const unreachable = await p.run(["lint"], { url: "postgresql://postgres@127.0.0.1:1/nowhere" });
    expect(unreachable.code, output(unreachable)).toBe(5);
    expect(unreachable.stderr).toContain("migrator lint --all");
  });
});
