// The programmatic API the rest of the repository uses (down scripts, schema push, deploy).
import { mkdtemp, mkdir, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { applyMigrations, diffToSql, pushSchema, SchemaEngineError } from "../src/index.ts";
import { freshDatabase, shadowDatabasesOf, sql } from "./helpers.ts";

const schema = (models: string) => `datasource db {\n  provider = "postgresql"\n}\n\n${models}`;
const USER = 'model User {\n  id    Int    @id\n  email String @unique\n  @@map("app_user")\n}\n';
const USER_WITH_NAME = 'model User {\n  id    Int     @id\n  email String  @unique\n  name  String?\n  @@map("app_user")\n}\n';

async function project(files: Record<string, string>): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), "bridge-api-"));
  for (const [name, content] of Object.entries(files)) {
    await mkdir(path.dirname(path.join(dir, name)), { recursive: true });
    await writeFile(path.join(dir, name), content);
  }
  return dir;
}

describe("diffToSql", () => {
  it("renders the script between two schema files, and an empty string when they match", async () => {
    const url = await freshDatabase();
    const dir = await project({ "a.prisma": schema(USER), "b.prisma": schema(USER_WITH_NAME) });
    const up = await diffToSql({ url, from: { kind: "schema", files: [path.join(dir, "a.prisma")] }, to: { kind: "schema", files: [path.join(dir, "b.prisma")] } });
    expect(up).toContain('ALTER TABLE "app_user" ADD COLUMN     "name" TEXT;');
    const down = await diffToSql({ url, from: { kind: "schema", files: [path.join(dir, "b.prisma")] }, to: { kind: "schema", files: [path.join(dir, "a.prisma")] } });
    expect(down).toContain('ALTER TABLE "app_user" DROP COLUMN "name";');
    expect(await diffToSql({ url, from: { kind: "schema", files: [path.join(dir, "a.prisma")] }, to: { kind: "schema", files: [path.join(dir, "a.prisma")] } })).toBe("");
  });

  it("replays a migrations folder on a temporary shadow database and drops it", async () => {
    const url = await freshDatabase();
    const dir = await project({
      "schema.prisma": schema(USER_WITH_NAME),
      "migrations/migration_lock.toml": 'provider = "postgresql"\n',
      "migrations/20240101000000_init/migration.sql": 'CREATE TABLE "app_user" ("id" INTEGER NOT NULL, "email" TEXT NOT NULL, CONSTRAINT "app_user_pkey" PRIMARY KEY ("id"));\nCREATE UNIQUE INDEX "app_user_email_key" ON "app_user"("email");\n',
    });
    const drift = await diffToSql({ url, from: { kind: "migrations", dir: path.join(dir, "migrations") }, to: { kind: "schema", files: [path.join(dir, "schema.prisma")] } });
    expect(drift.trim()).toBe('-- AlterTable\nALTER TABLE "app_user" ADD COLUMN     "name" TEXT;');
    expect(await shadowDatabasesOf(url)).toEqual([]);
  });

  it("reads the live database as a side", async () => {
    const url = await freshDatabase();
    await sql(url, "CREATE TABLE leftover (id int)");
    expect(await diffToSql({ url, from: { kind: "database" }, to: { kind: "empty" } })).toContain('DROP TABLE "public"."leftover";');
  });
});

describe("pushSchema", () => {
  it("creates the schema's tables without migration history", async () => {
    const url = await freshDatabase();
    const dir = await project({ "schema.prisma": schema(USER) });
    await pushSchema({ url, schemaFiles: [path.join(dir, "schema.prisma")] });
    expect(await sql(url, "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY 1")).toEqual([{ tablename: "app_user" }]);
  });

  it("refuses a change that loses data unless told to accept it, changing nothing", async () => {
    const url = await freshDatabase();
    const dir = await project({ "with.prisma": schema(USER_WITH_NAME), "without.prisma": schema(USER) });
    await pushSchema({ url, schemaFiles: [path.join(dir, "with.prisma")] });
    await sql(url, "INSERT INTO app_user VALUES (1, 'a@b.c', 'Ada')");
    await expect(pushSchema({ url, schemaFiles: [path.join(dir, "without.prisma")] })).rejects.toThrow(/not applied[\s\S]*name/);
    expect(await sql(url, "SELECT name FROM app_user")).toEqual([{ name: "Ada" }]);
    await pushSchema({ url, schemaFiles: [path.join(dir, "without.prisma")], acceptDataLoss: true });
    expect(await sql(url, "SELECT count(*)::int AS n FROM information_schema.columns WHERE table_name = 'app_user' AND column_name = 'name'")).toEqual([{ n: 0 }]);
  });
});

describe("applyMigrations", () => {
  it("applies pending migrations once and records them in _prisma_migrations", async () => {
    const url = await freshDatabase();
    const dir = await project({
      "migrations/20240101000000_a/migration.sql": "CREATE TABLE a (id int);",
      "migrations/20240102000000_b/migration.sql": "CREATE TABLE b (id int);",
    });
    expect(await applyMigrations({ url, migrationsDir: path.join(dir, "migrations") })).toEqual(["20240101000000_a", "20240102000000_b"]);
    expect(await applyMigrations({ url, migrationsDir: path.join(dir, "migrations") })).toEqual([]);
    expect(await sql(url, "SELECT migration_name FROM _prisma_migrations WHERE finished_at IS NOT NULL ORDER BY 1")).toEqual([
      { migration_name: "20240101000000_a" },
      { migration_name: "20240102000000_b" },
    ]);
  });

  it("fails with P3018, naming the migration and the SQLSTATE", async () => {
    const url = await freshDatabase();
    const dir = await project({ "migrations/20240101000000_bad/migration.sql": "CREATE TABLE fine (id int);\nSELEC 1;\n" });
    const error = await applyMigrations({ url, migrationsDir: path.join(dir, "migrations") }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SchemaEngineError);
    expect(error).toMatchObject({ code: "P3018", message: expect.stringContaining("Migration name: 20240101000000_bad") });
    expect((error as Error).message).toContain("Database error code: 42601");
    expect(await sql(url, "SELECT count(*)::int AS n FROM pg_tables WHERE tablename = 'fine'")).toEqual([{ n: 0 }]);
  });
});
