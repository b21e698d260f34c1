// `prisma migrate deploy`, `status` and `resolve` through the WebAssembly engine: the release path.
import { describe, expect, it } from "vitest";
import { copyPackage, output } from "./helpers.ts";

const BROKEN = 'CREATE TABLE "half_done" (id int);\nSELEC 1;\n';

describe("prisma migrate deploy and status", () => {
  it("deploys every migration to a fresh database, then reports it up to date (exit 0)", async () => {
    const pkg = await copyPackage();
    const deploy = await pkg.prisma(["migrate", "deploy"]);
    expect(deploy.exitCode, output(deploy)).toBe(0);
    expect(output(deploy)).toContain("All migrations have been successfully applied.");
    const rows = await pkg.sql<{ migration_name: string; checksum: string; applied_steps_count: number }>(
      "SELECT migration_name, checksum, applied_steps_count FROM _prisma_migrations",
    );
    expect(rows.map((row) => row.migration_name).sort()).toEqual(await pkg.migrationFolders());
    for (const row of rows) {
      expect(row.applied_steps_count).toBe(1);
      expect(row.checksum).toMatch(/^[0-9a-f]{64}$/);
    }
    expect(await pkg.sql("SELECT tablename FROM pg_tables WHERE schemaname = 'public' AND tablename <> '_prisma_migrations' ORDER BY 1")).toEqual([
      { tablename: "category" }, { tablename: "post" }, { tablename: "rate_limit" }, { tablename: "tier" }, { tablename: "token_blacklist" }, { tablename: "user" },
    ]);

    const status = await pkg.prisma(["migrate", "status"]);
    expect(status.exitCode).toBe(0);
    expect(output(status)).toContain("Database schema is up to date!");
    const again = await pkg.prisma(["migrate", "deploy"]);
    expect(again.exitCode).toBe(0);
    expect(output(again)).toContain("No pending migrations to apply.");
  });

  it("status lists pending migrations and exits 1", async () => {
    const pkg = await copyPackage();
    const status = await pkg.prisma(["migrate", "status"]);
    expect(status.exitCode).toBe(1);
    expect(output(status)).toMatch(/Following migrations? have not yet been applied:\n\d{14}_init/);
  });

  it("a failing migration: P3018 with the SQLSTATE, nothing half-applied, then P3009 until resolved", async () => {
    const pkg = await copyPackage();
    await pkg.writeMigration("29990101000000_broken", BROKEN);
    const deploy = await pkg.prisma(["migrate", "deploy"]);
    expect(deploy.exitCode).toBe(1);
    expect(output(deploy)).toContain("Error: P3018");
    expect(output(deploy)).toContain("Migration name: 29990101000000_broken");
    expect(output(deploy)).toContain("Database error code: 42601");
    expect(await pkg.sql("SELECT count(*)::int AS n FROM pg_tables WHERE tablename = 'half_done'")).toEqual([{ n: 0 }]);
    expect(await pkg.sql("SELECT migration_name FROM _prisma_migrations WHERE finished_at IS NULL")).toEqual([{ migration_name: "29990101000000_broken" }]);

    const blocked = await pkg.prisma(["migrate", "deploy"]);
    expect(blocked.exitCode).toBe(1);
    expect(output(blocked)).toContain("Error: P3009");
    expect(output(blocked)).toContain("The `29990101000000_broken` migration started at");

    const status = await pkg.prisma(["migrate", "status"]);
    expect(status.exitCode).toBe(1);
    expect(output(status)).toContain('prisma migrate resolve --rolled-back "29990101000000_broken"');

    // The fix: mark it rolled back, correct the file, deploy again.
    const resolve = await pkg.prisma(["migrate", "resolve", "--rolled-back", "29990101000000_broken"]);
    expect(resolve.exitCode, output(resolve)).toBe(0);
    await pkg.writeMigration("29990101000000_broken", 'CREATE TABLE "half_done" (id int);\n');
    const fixed = await pkg.prisma(["migrate", "deploy"]);
    expect(fixed.exitCode, output(fixed)).toBe(0);
    expect(await pkg.sql("SELECT count(*)::int AS n FROM pg_tables WHERE tablename = 'half_done'")).toEqual([{ n: 1 }]);
  });

  it("resolve --applied records a migration fixed by hand", async () => {
    const pkg = await copyPackage();
    await pkg.writeMigration("29990101000000_broken", BROKEN);
    expect((await pkg.prisma(["migrate", "deploy"])).exitCode).toBe(1);
    await pkg.sql('CREATE TABLE "half_done" (id int)');
    const resolve = await pkg.prisma(["migrate", "resolve", "--applied", "29990101000000_broken"]);
    expect(resolve.exitCode, output(resolve)).toBe(0);
    expect(output(resolve)).toContain("Migration 29990101000000_broken marked as applied.");
    const status = await pkg.prisma(["migrate", "status"]);
    expect(status.exitCode, output(status)).toBe(0);
  });

  it("status reports diverged histories (applied in the database but missing locally, and the reverse) and exits 1", async () => {
    const pkg = await copyPackage();
    await pkg.writeMigration("29990101000000_only_in_db", 'CREATE TABLE "elsewhere" (id int);\n');
    expect((await pkg.prisma(["migrate", "deploy"])).exitCode).toBe(0);
    const { rm } = await import("node:fs/promises");
    await rm(`${pkg.dir}/migrations/29990101000000_only_in_db`, { recursive: true });
    await pkg.writeMigration("29990102000000_only_here", 'CREATE TABLE "here" (id int);\n');
    const status = await pkg.prisma(["migrate", "status"]);
    expect(status.exitCode).toBe(1);
    expect(output(status)).toContain("Your local migration history and the migrations table from your database are different");
    expect(output(status)).toMatch(/have not yet been applied:\n29990102000000_only_here/);
    expect(output(status)).toMatch(/from the database are not found locally in prisma\/migrations:\n29990101000000_only_in_db/);
  });

  it("refuses to baseline a non-empty database without history (P3005)", async () => {
    const pkg = await copyPackage();
    await pkg.sql("CREATE TABLE legacy (id int)");
    const deploy = await pkg.prisma(["migrate", "deploy"]);
    expect(deploy.exitCode).toBe(1);
    expect(output(deploy)).toContain("Error: P3005");
    expect(output(deploy)).toContain("The database schema is not empty.");
  });
});
