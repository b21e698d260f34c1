// down.sql generation for a new migration, and that the migrator can run what it generates.
import { readFile } from "node:fs/promises";
import path from "node:path";
import { deploy, down, getStatus } from "@repo/migrate";
import { describe, expect, it } from "vitest";
import { writeDownScripts } from "../src/down-scripts.ts";
import { copyPackage, output } from "./helpers.ts";

describe("down.sql for a new migration", () => {
  it("is the diff back to the state before it, and the migrator rolls the migration back with it", async () => {
    const pkg = await copyPackage();
    await pkg.editSchema((schema) => schema.replace("  isSuperuser     Boolean", "  bio             String?   @db.VarChar(500)\n  isSuperuser     Boolean"));
    const created = await pkg.prisma(["migrate", "dev", "--name", "add_user_bio", "--create-only"]);
    expect(created.exitCode, output(created)).toBe(0);
    const name = (await pkg.migrationFolders()).at(-1) ?? "";
    const migrationsDir = path.join(pkg.dir, "migrations");

    const [file] = await writeDownScripts({ url: pkg.url, migrationsDir, names: [name] });
    const downSql = await readFile(file ?? "", "utf8");
    expect(downSql).toMatch(/^-- Rolls back \d{14}_add_user_bio/);
    expect(downSql).toContain('ALTER TABLE "public"."user" DROP COLUMN "bio";');

    const options = { url: pkg.url, migrationsDir };
    expect((await deploy(options)).ok).toBe(true);
    const rolledBack = await down(options, "-1");
    expect(rolledBack.ok, rolledBack.steps[0]?.error?.message).toBe(true);
    expect(await pkg.sql("SELECT count(*)::int AS n FROM information_schema.columns WHERE table_name = 'user' AND column_name = 'bio'")).toEqual([{ n: 0 }]);
    expect((await getStatus(options)).pending).toEqual([name]);
  });
});
