// Builds a migrations folder for a lint test: the shared base migration (tables `team` and `account`
// that "exist" for the migrations after it) plus a fixture's migrations, or migrations written inline.
import { existsSync } from "node:fs";
import { cp, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { onTestFinished } from "vitest";
import { lintMigrations, type LintOptions, type LintResult } from "../../src/lint/index.ts";

export const FIXTURES = path.join(import.meta.dirname, "fixtures");

async function folderWithBase(): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), "migrate-lint-"));
  onTestFinished(() => rm(dir, { recursive: true, force: true }));
  await cp(path.join(FIXTURES, "base"), dir, { recursive: true });
  return dir;
}

/**
 * Lints the migrations of `fixtures/<name>` on top of the base migration. A `previous.prisma` beside
 * them is the last release's schema (ref "v1.4.0"). Paths in findings are relative to the folder.
 */
export async function lintFixture(name: string, options: Partial<LintOptions> = {}): Promise<LintResult> {
  const dir = await folderWithBase();
  const source = path.join(FIXTURES, name);
  const names = (await readdir(source, { withFileTypes: true })).filter((e) => e.isDirectory()).map((e) => e.name);
  for (const migration of names) await cp(path.join(source, migration), path.join(dir, migration), { recursive: true });
  const previous = path.join(source, "previous.prisma");
  return lintMigrations({
    migrationsDir: dir,
    names,
    cwd: dir,
    ...(existsSync(previous) ? { previousSchema: { ref: "v1.4.0", text: await readFile(previous, "utf8") } } : {}),
    ...options,
  });
}

/** Lints migrations written inline (name → up, down; down undefined: no down.sql) after the base migration. */
export async function lintInline(migrations: Record<string, { up: string; down?: string }>, options: Partial<LintOptions> = {}): Promise<LintResult> {
  const dir = await folderWithBase();
  for (const [name, { up, down }] of Object.entries(migrations)) {
    await mkdir(path.join(dir, name));
    await writeFile(path.join(dir, name, "migration.sql"), up);
    if (down !== undefined) await writeFile(path.join(dir, name, "down.sql"), down);
  }
  return lintMigrations({ migrationsDir: dir, names: Object.keys(migrations), cwd: dir, ...options });
}

/** `rule file:line` for each finding, the shape most assertions compare. */
export const brief = (result: Pick<LintResult, "findings">) => result.findings.map((f) => `${f.rule} ${f.file}:${f.line}`);
