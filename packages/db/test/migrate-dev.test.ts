// `prisma migrate dev` through the WebAssembly engine, as developers run it (`pnpm db:migrate dev`).
import { spawn } from "node:child_process";
import { readFile } from "node:fs/promises";
import path from "node:path";
import { prismaEnv } from "@repo/prisma-engine";
import { describe, expect, it } from "vitest";
import { copyPackage, output, shadowDatabasesOf, sqlOn } from "./helpers.ts";

const addBio = (schema: string) => schema.replace("  isSuperuser     Boolean", "  bio             String?   @db.VarChar(500)\n  isSuperuser     Boolean");

describe("prisma migrate dev", () => {
  it("applies the existing migrations, then turns a schema edit into a new named migration and applies it", async () => {
    const pkg = await copyPackage();
    const first = await pkg.prisma(["migrate", "dev"]);
    expect(first.exitCode, output(first)).toBe(0);
    const existing = await pkg.migrationFolders();
    expect(await pkg.sql("SELECT count(*)::int AS n FROM _prisma_migrations WHERE finished_at IS NOT NULL")).toEqual([{ n: existing.length }]);

    await pkg.editSchema(addBio);
    const run = await pkg.prisma(["migrate", "dev", "--name", "add_user_bio"]);
    expect(run.exitCode, output(run)).toBe(0);
    const folders = await pkg.migrationFolders();
    expect(folders).toHaveLength(existing.length + 1);
    expect(folders.at(-1)).toMatch(/^\d{14}_add_user_bio$/);
    const script = await readFile(path.join(pkg.dir, "migrations", folders.at(-1) ?? "", "migration.sql"), "utf8");
    expect(script).toBe('-- AlterTable\nALTER TABLE "user" ADD COLUMN     "bio" VARCHAR(500);\n');
    expect(await pkg.sql("SELECT data_type, character_maximum_length FROM information_schema.columns WHERE table_name = 'user' AND column_name = 'bio'")).toEqual([
      { data_type: "character varying", character_maximum_length: 500 },
    ]);
    expect(output(run)).toContain("Your database is now in sync with your schema.");
  });

  it("--create-only writes the migration without applying it", async () => {
    const pkg = await copyPackage();
    expect((await pkg.prisma(["migrate", "dev"])).exitCode).toBe(0);
    const existing = (await pkg.migrationFolders()).length;
    await pkg.editSchema(addBio);
    const run = await pkg.prisma(["migrate", "dev", "--name", "add_user_bio", "--create-only"]);
    expect(run.exitCode, output(run)).toBe(0);
    expect(await pkg.migrationFolders()).toHaveLength(existing + 1);
    expect(await pkg.sql("SELECT count(*)::int AS n FROM information_schema.columns WHERE table_name = 'user' AND column_name = 'bio'")).toEqual([{ n: 0 }]);
    const status = await pkg.prisma(["migrate", "status"]);
    expect(status.exitCode).toBe(1);
    expect(output(status)).toMatch(/Following migrations? have not yet been applied:\n\d{14}_add_user_bio/);
  });

  it("creates the database when it does not exist yet, as Prisma does", async () => {
    const pkg = await copyPackage();
    const missing = pkg.url.replace(/\/([^/?]+)(\?|$)/, "/$1_new$2");
    const run = await pkg.prisma(["migrate", "dev"], { DATABASE_URL: missing });
    try {
      expect(run.exitCode, output(run)).toBe(0);
      expect(output(run)).toMatch(/PostgreSQL database \S+_new created at 127\.0\.0\.1/);
    } finally {
      const name = new URL(missing).pathname.slice(1);
      await sqlOn(pkg.url, `DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
    }
  });

  it("fails with P3006 when a migration does not apply to the shadow database, leaving no shadow database", async () => {
    const pkg = await copyPackage();
    await pkg.writeMigration("29990101000000_broken", 'ALTER TABLE "user" ADD COLUMN "x" INT;\nSELEC 1;\n');
    const run = await pkg.prisma(["migrate", "dev", "--name", "next"]);
    expect(run.exitCode).toBe(1);
    expect(output(run)).toContain("Error: P3006");
    expect(output(run)).toContain("Migration `29990101000000_broken` failed to apply cleanly to the shadow database.");
    expect(output(run)).toContain("Database error code: 42601");
    expect(await shadowDatabasesOf(pkg.url)).toEqual([]);
  });

  it("reports a schema validation error with its file and line", async () => {
    const pkg = await copyPackage();
    await pkg.editSchema((schema) => schema.replace("  limit     Int", "  limit     Integer"));
    const run = await pkg.prisma(["migrate", "dev", "--name", "broken"]);
    expect(run.exitCode).toBe(1);
    expect(output(run)).toContain("Type \"Integer\" is neither a built-in type");
    expect(output(run)).toMatch(/-->\s+schema\.prisma:\d+/);
  });

  it("leaves no shadow database behind when interrupted with Ctrl-C", async () => {
    const pkg = await copyPackage();
    // A migration that keeps the shadow database busy long enough to interrupt it.
    await pkg.writeMigration("29990101000000_slow", "SELECT pg_sleep(60);\n");
    const child = spawn(process.execPath, [path.join(pkg.dir, "node_modules", "prisma", "build", "index.js"), "migrate", "dev", "--name", "x"], {
      cwd: pkg.dir,
      env: prismaEnv({ ...process.env, DATABASE_URL: pkg.url }),
      stdio: "ignore",
      detached: true,
    });
    const exited = new Promise<void>((resolve) => child.on("exit", () => resolve()));
    // Wait for the state (a shadow database exists), not for a time.
    const deadline = Date.now() + 60_000;
    while ((await shadowDatabasesOf(pkg.url)).length === 0) {
      if (Date.now() > deadline) throw new Error("no shadow database appeared");
      await new Promise((resolve) => setImmediate(resolve));
    }
    // A terminal's Ctrl-C signals the whole foreground process group: the CLI and its engine.
    process.kill(-(child.pid ?? 0), "SIGINT");
    await exited;
    const settled = Date.now() + 10_000;
    while ((await shadowDatabasesOf(pkg.url)).length > 0 && Date.now() < settled) await new Promise((resolve) => setImmediate(resolve));
    expect(await shadowDatabasesOf(pkg.url)).toEqual([]);
  });
});
