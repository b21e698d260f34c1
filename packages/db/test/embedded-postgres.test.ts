// The embedded path: with no DATABASE_URL, development runs on a real PostgreSQL 18 from npm packages,
// with password authentication. Proves the CLI, the bridge and the runner work there too.
import { startScratchLocalServer, type ScratchLocalServer } from "@repo/dev-postgres";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { copyPackage, output } from "./helpers.ts";

let server: ScratchLocalServer;

beforeAll(async () => {
  server = await startScratchLocalServer("smoke");
});

afterAll(() => server?.stop());

describe("on the embedded PostgreSQL 18", () => {
  it("deploys the migrations and reports the database up to date", async () => {
    expect(server.serverVersion).toMatch(/^18\./);
    const pkg = await copyPackage();
    const deploy = await pkg.prisma(["migrate", "deploy"], { DATABASE_URL: server.url });
    expect(deploy.exitCode, output(deploy)).toBe(0);
    const status = await pkg.prisma(["migrate", "status"], { DATABASE_URL: server.url });
    expect(status.exitCode, output(status)).toBe(0);
    expect(output(status)).toContain("Database schema is up to date!");
  });

  it("creates a migration with migrate dev (shadow database on PostgreSQL 18)", async () => {
    const pkg = await copyPackage();
    const url = server.url.replace(/\/smoke$/, "/smoke_dev");
    const before = (await pkg.migrationFolders()).length;
    await pkg.editSchema((schema) => schema.replace("  isSuperuser     Boolean", "  bio             String?\n  isSuperuser     Boolean"));
    const run = await pkg.prisma(["migrate", "dev", "--name", "add_bio"], { DATABASE_URL: url });
    expect(run.exitCode, output(run)).toBe(0);
    expect(await pkg.migrationFolders()).toHaveLength(before + 1);
  });

  it("P1000 for a wrong password, without printing it", async () => {
    const pkg = await copyPackage();
    const wrong = new URL(server.url);
    wrong.password = "not-the-password";
    const run = await pkg.prisma(["migrate", "status"], { DATABASE_URL: wrong.toString() });
    expect(run.exitCode).toBe(1);
    expect(output(run)).toContain("Error: P1000: Authentication failed against database server at `127.0.0.1`, the provided database credentials for `postgres` are not valid.");
    expect(output(run)).not.toContain("not-the-password");
  });
});
