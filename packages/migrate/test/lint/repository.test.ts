// The repository's own migrations (packages/db/migrations) pass the lint: no error, every one checked.
import { readdir } from "node:fs/promises";
import path from "node:path";
import { expect, it } from "vitest";
import { lintMigrations } from "../../src/lint/index.ts";

const MIGRATIONS = path.resolve(import.meta.dirname, "../../../db/migrations");

it("the repository's migrations have no lint error", async () => {
  const result = await lintMigrations({ migrationsDir: MIGRATIONS, cwd: MIGRATIONS });
  const folders = (await readdir(MIGRATIONS, { withFileTypes: true })).filter((e) => e.isDirectory()).map((e) => e.name).sort();
  expect(result.migrations).toEqual(folders);
  expect(result.findings.filter((f) => f.severity === "error")).toEqual([]);
  expect(result.notes.filter((note) => note.startsWith("squawk"))).toEqual([]);
});
