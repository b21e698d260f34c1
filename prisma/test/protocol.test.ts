// The executable as the Prisma CLI sees it: arguments, JSON-RPC over stdio, one-shot commands.
import { spawnSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import { schemaEngineBinary } from "../src/index.ts";
import { freshDatabase, sql, startEngine } from "./helpers.ts";

const datasource = (url: string) => ["--datasource", JSON.stringify({ url })];

function oneShot(url: string, command: string) {
  const run = spawnSync(process.execPath, [schemaEngineBinary, ...datasource(url), "cli", command], { encoding: "utf8" });
  // The CLI drops the first stderr line, then parses each following line as JSON.
  const lines = run.stderr.trim().split("\n").slice(1).map((line) => JSON.parse(line) as { level: string; fields: Record<string, string> });
  return { status: run.status, lines };
}

describe("the schema-engine executable", () => {
  it("prints a version like the native engine's", () => {
    const run = spawnSync(process.execPath, [schemaEngineBinary, "--version"], { encoding: "utf8" });
    expect(run.status).toBe(0);
    expect(run.stdout).toMatch(/^schema-engine-cli [0-9a-f]{40} \(wasm\)\n$/);
  });

  it("answers JSON-RPC requests, sending a diff's script through a print request first", async () => {
    const engine = startEngine(datasource(await freshDatabase()));
    const version = await engine.request("getDatabaseVersion", {});
    expect(version.result).toMatch(/^PostgreSQL \d+/);
    const diff = await engine.request("diff", {
      from: { tag: "empty" },
      to: { tag: "schemaDatamodel", files: [{ path: "s.prisma", content: 'datasource db {\n provider = "postgresql"\n}\nmodel A {\n id Int @id\n}\n' }] },
      script: true,
      shadowDatabaseUrl: null,
      exitCode: null,
      filters: { externalTables: [], externalEnums: [] },
    });
    expect(diff.result).toEqual({ exitCode: 0 });
    expect(engine.printed.join("")).toContain('CREATE TABLE "A"');
    expect(await engine.close()).toBe(0);
  });

  it("reports an unknown method as a JSON-RPC error and keeps serving", async () => {
    const engine = startEngine(datasource(await freshDatabase()));
    const reply = await engine.request("noSuchMethod", {});
    expect(reply.error).toMatchObject({ code: -32601, message: "Method not found: noSuchMethod" });
    expect((await engine.request("getDatabaseVersion", {})).result).toMatch(/^PostgreSQL/);
    await engine.close();
  });

  it("reports failures as Prisma error codes in the error's data", async () => {
    const engine = startEngine(datasource("postgresql://postgres@127.0.0.1:1/x"));
    const reply = await engine.request("ensureConnectionValidity", { datasource: { tag: "ConnectionString", url: "postgresql://postgres@127.0.0.1:1/x" } });
    expect(reply.error?.data).toMatchObject({ error_code: "P1001", is_panic: false });
    await engine.close();
  });

  it("one-shot: can-connect-to-database reports P1003 for a missing database, after a first line the CLI discards", async () => {
    const missing = (await freshDatabase()).replace(/\/[^/?]+(\?|$)/, "/bridge_missing_db$1");
    const { status, lines } = oneShot(missing, "can-connect-to-database");
    expect(status).toBe(1);
    expect(lines.find((line) => line.level === "ERROR")?.fields).toMatchObject({ error_code: "P1003", message: expect.stringContaining("bridge_missing_db") });
  });

  it("one-shot: create-database then drop-database", async () => {
    const server = await freshDatabase();
    const name = `bridge_created_${process.pid}`;
    const url = server.replace(/\/[^/?]+(\?|$)/, `/${name}$1`);
    expect(oneShot(url, "create-database").status).toBe(0);
    expect(await sql(server, `SELECT datname FROM pg_database WHERE datname = '${name}'`)).toHaveLength(1);
    expect(oneShot(url, "can-connect-to-database").status).toBe(0);
    expect(oneShot(url, "drop-database").status).toBe(0);
    expect(await sql(server, `SELECT datname FROM pg_database WHERE datname = '${name}'`)).toHaveLength(0);
  });
});
