// The embedded path: with no DATABASE_URL, development runs on a real PostgreSQL 18 from npm packages,
// with password authentication. Proves the CLI, the bridge and the runner work there too.
import { chmod, mkdtemp, rm } from "node:fs/promises";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { ensureLocalServer, stopLocalServer, type LocalServer } from "@repo/dev-postgres";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { copyPackage, output } from "./helpers.ts";

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

let rootDir: string;
let server: LocalServer;

beforeAll(async () => {
  rootDir = await mkdtemp(path.join(tmpdir(), "embedded-smoke-"));
  await chmod(rootDir, 0o755); // PostgreSQL runs as the `postgres` user when the tests run as root.
  server = await ensureLocalServer({ rootDir, port: await freePort(), database: "smoke", log: () => {} });
});

afterAll(async () => {
  await stopLocalServer({ rootDir, port: server.port, log: () => {} });
  await rm(rootDir, { recursive: true, force: true });
});

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
