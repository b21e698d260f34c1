import { createHash } from "node:crypto";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, test } from "vitest";
import { MigrateError } from "../errors.ts";
import { readDataMigrations } from "./folder.ts";

const NAME = "20261126051500_backfill_post_category";
const SOURCE = 'export default defineDataMigration({ anchor: "20261126051400_validate_post_category_fk", async up() {} });\n';
const SOURCE_CHECKSUM = createHash("sha256").update(SOURCE).digest("hex");
const COMPILED = 'export default { anchor: "20261126051400_validate_post_category_fk", async up() {}, marker: "compiled" };\n';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), "data-migrations-"));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const writeManifest = (migrations: unknown) => writeFile(path.join(dir, "manifest.json"), JSON.stringify({ migrations }));

async function rejection(promise: Promise<unknown>): Promise<MigrateError> {
  const error = await promise.then(() => undefined, (e: unknown) => e);
  expect(error).toBeInstanceOf(MigrateError);
  return error as MigrateError;
}

describe("a compiled data-migrations folder (production bundle)", () => {
  test("is read from its manifest: the TypeScript source's checksum and anchor, and the compiled module loads", async () => {
    await writeFile(path.join(dir, `${NAME}.mjs`), COMPILED);
    await writeManifest([{ name: NAME, file: `${NAME}.mjs`, checksum: SOURCE_CHECKSUM, anchor: "20261126051400_validate_post_category_fk" }]);
    const [migration, ...others] = await readDataMigrations(dir);
    expect(others).toEqual([]);
    expect(migration).toMatchObject({ name: NAME, checksum: SOURCE_CHECKSUM, anchor: "20261126051400_validate_post_category_fk", file: path.join(dir, `${NAME}.mjs`) });
    const loaded = (await migration?.load()) as unknown as { marker: string };
    expect(loaded.marker).toBe("compiled");
  });

  test("refuses a manifest that is not JSON, naming the file and how to fix it", async () => {
    await writeFile(path.join(dir, "manifest.json"), "{ not json");
    const error = await rejection(readDataMigrations(dir));
    expect(error.code).toBe("DATA_MIGRATION_INVALID");
    expect(error.message).toContain(path.join(dir, "manifest.json"));
    expect(error.message).toContain("not valid JSON");
    expect(error.hint).toContain("pnpm bundle migrator");
  });

  test("refuses a manifest entry whose compiled file is missing, before anything runs", async () => {
    await writeManifest([{ name: NAME, file: `${NAME}.mjs`, checksum: SOURCE_CHECKSUM, anchor: null }]);
    const error = await rejection(readDataMigrations(dir));
    expect(error.message).toContain(`${NAME}.mjs (listed for ${NAME}) is missing`);
  });

  test.each([
    ["a checksum that is not a SHA-256", { name: NAME, file: `${NAME}.mjs`, checksum: "abc", anchor: null }, "checksum must be"],
    ["a file outside the folder", { name: NAME, file: `../${NAME}.mjs`, checksum: SOURCE_CHECKSUM, anchor: null }, "file must be"],
    ["a TypeScript file", { name: NAME, file: `${NAME}.ts`, checksum: SOURCE_CHECKSUM, anchor: null }, "file must be"],
    ["a bad name", { name: "backfill", file: `${NAME}.mjs`, checksum: SOURCE_CHECKSUM, anchor: null }, "name is not a data migration name"],
  ])("refuses %s", async (_, entry, message) => {
    await writeFile(path.join(dir, `${NAME}.mjs`), COMPILED);
    await writeManifest([entry]);
    expect((await rejection(readDataMigrations(dir))).message).toContain(message);
  });

  test("refuses a migration listed twice", async () => {
    await writeFile(path.join(dir, `${NAME}.mjs`), COMPILED);
    const entry = { name: NAME, file: `${NAME}.mjs`, checksum: SOURCE_CHECKSUM, anchor: null };
    await writeManifest([entry, entry]);
    expect((await rejection(readDataMigrations(dir))).message).toContain(`${NAME} is listed twice`);
  });
});
