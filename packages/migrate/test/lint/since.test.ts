// `--since <ref>`: the migrations a branch adds or changes (committed, uncommitted or untracked), and
// the last release's schema.prisma read from that ref for dropped-still-in-schema.
import { execFileSync } from "node:child_process";
import { cp, mkdtemp, mkdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { expect, it, onTestFinished } from "vitest";
import { lintMigrations, selectForLint } from "../../src/lint/index.ts";
import { FIXTURES } from "./helpers.ts";

const SCHEMA = 'model Account {\n  id  BigInt  @id\n  bio String? @db.VarChar(500)\n  @@map("account")\n}\n';

it("selects the migrations new or changed since the ref and checks drops against the ref's schema.prisma", async () => {
  const repo = await mkdtemp(path.join(tmpdir(), "migrate-lint-git-"));
  onTestFinished(() => rm(repo, { recursive: true, force: true }));
  const git = (...args: string[]) => execFileSync("git", ["-c", "user.name=t", "-c", "user.email=t@example.com", "-c", "commit.gpgsign=false", ...args], { cwd: repo, encoding: "utf8" });
  const migrations = path.join(repo, "db", "migrations");
  const write = async (name: string, up: string, down = "SELECT 1;\n") => {
    await mkdir(path.join(migrations, name), { recursive: true });
    await writeFile(path.join(migrations, name, "migration.sql"), up);
    await writeFile(path.join(migrations, name, "down.sql"), down);
  };
  git("init", "-q", "-b", "main");
  await cp(path.join(FIXTURES, "base"), migrations, { recursive: true });
  await writeFile(path.join(repo, "db", "schema.prisma"), SCHEMA);
  git("add", ".");
  git("commit", "-q", "-m", "release");
  git("tag", "v1");

  git("checkout", "-q", "-b", "feature");
  await write("20240102000000_drop_bio", 'ALTER TABLE "account" DROP COLUMN "bio";\n', 'ALTER TABLE "account" ADD COLUMN "bio" VARCHAR(500);\n');
  await writeFile(path.join(repo, "db", "schema.prisma"), SCHEMA.replace(/ {2}bio.*\n/, ""));
  git("add", ".");
  git("commit", "-q", "-m", "drop bio");
  await write("20240103000000_untracked", 'ALTER TABLE "team" ADD COLUMN "logo" TEXT;\n');

  const selected = await selectForLint({ migrationsDir: migrations, since: "v1" });
  expect(selected.names).toEqual(["20240102000000_drop_bio", "20240103000000_untracked"]);
  expect(selected.previousSchema).toEqual({ ref: "v1", text: SCHEMA });
  const result = await lintMigrations({ migrationsDir: migrations, ...selected, cwd: repo, squawk: false });
  expect(result.findings.map((f) => `${f.rule} ${f.file}:${f.line}`)).toEqual(["dropped-still-in-schema db/migrations/20240102000000_drop_bio/migration.sql:1"]);
  expect(result.notes).toEqual([]);

  await expect(selectForLint({ migrationsDir: migrations, since: "no-such-ref" })).rejects.toMatchObject({ code: "UNKNOWN_REF" });
});
