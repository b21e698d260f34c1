// The rest of the Prisma CLI through the WebAssembly engine: diff, reset, push, pull, execute,
// generate, connection errors, and a user's own engine binary.
import { chmod, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { copyPackage, output } from "./helpers.ts";

const addBio = (schema: string) => schema.replace("  isSuperuser     Boolean", "  bio             String?\n  isSuperuser     Boolean");

describe("prisma migrate diff", () => {
  it("--exit-code: 0 when the migrations produce the schema, 2 when the schema drifted", async () => {
    const pkg = await copyPackage();
    const args = ["migrate", "diff", "--from-migrations", "migrations", "--to-schema", "schema.prisma", "--exit-code"];
    const clean = await pkg.prisma(args);
    expect(clean.exitCode, output(clean)).toBe(0);
    await pkg.editSchema(addBio);
    const drift = await pkg.prisma(args);
    expect(drift.exitCode).toBe(2);
    expect(drift.stdout).toContain("[+] Added column `bio`");
  });

  it("--script prints the SQL between any two states: empty, schema, migrations, the database", async () => {
    const pkg = await copyPackage();
    const fromEmpty = await pkg.prisma(["migrate", "diff", "--from-empty", "--to-schema", "schema.prisma", "--script"]);
    expect(fromEmpty.exitCode, output(fromEmpty)).toBe(0);
    // The init migration's CREATE TABLE "user", as Prisma wrote it, up to the first column added later.
    const init = await readFile(path.join(pkg.dir, "migrations", (await pkg.migrationFolders())[0] ?? "", "migration.sql"), "utf8");
    expect(fromEmpty.stdout).toContain(init.slice(init.indexOf('CREATE TABLE "user"'), init.indexOf('"tier_id"')));
    expect(fromEmpty.stdout).toContain('CREATE TABLE "category" (');

    const toEmpty = await pkg.prisma(["migrate", "diff", "--from-schema", "schema.prisma", "--to-empty", "--script"]);
    expect(toEmpty.stdout).toContain('DROP TABLE "public"."user";');

    expect((await pkg.prisma(["migrate", "deploy"])).exitCode).toBe(0);
    const fromDatabase = await pkg.prisma(["migrate", "diff", "--from-config-datasource", "--to-schema", "schema.prisma", "--script"]);
    expect(fromDatabase.exitCode, output(fromDatabase)).toBe(0);
    expect(fromDatabase.stdout).toContain("-- This is an empty migration.");
  });
});

describe("prisma migrate reset", () => {
  it("drops everything, including data, and reapplies the migrations", async () => {
    const pkg = await copyPackage();
    expect((await pkg.prisma(["migrate", "deploy"])).exitCode).toBe(0);
    await pkg.sql("INSERT INTO tier (name) VALUES ('free'); CREATE TABLE stray (id int);");
    const reset = await pkg.prisma(["migrate", "reset", "--force"]);
    expect(reset.exitCode, output(reset)).toBe(0);
    expect(await pkg.sql("SELECT count(*)::int AS n FROM tier")).toEqual([{ n: 0 }]);
    expect(await pkg.sql("SELECT count(*)::int AS n FROM pg_tables WHERE tablename = 'stray'")).toEqual([{ n: 0 }]);
    expect(await pkg.sql("SELECT count(*)::int AS n FROM _prisma_migrations")).toEqual([{ n: (await pkg.migrationFolders()).length }]);
  });
});

describe("prisma db push, pull and execute", () => {
  it("push creates the schema without history; pull reads it back as models", async () => {
    const pkg = await copyPackage({ withMigrations: false });
    const push = await pkg.prisma(["db", "push"]);
    expect(push.exitCode, output(push)).toBe(0);
    expect(output(push)).toContain("Your database is now in sync with your Prisma schema.");
    expect(await pkg.sql("SELECT count(*)::int AS n FROM pg_tables WHERE tablename = '_prisma_migrations'")).toEqual([{ n: 0 }]);

    const pull = await pkg.prisma(["db", "pull", "--print"]);
    expect(pull.exitCode, output(pull)).toBe(0);
    for (const model of ["model User", "model Post", "model Tier", "model RateLimit"]) expect(pull.stdout).toContain(model);
    expect(pull.stdout).toContain('hashedPassword  String    @map("hashed_password")');
  });

  it("push refuses a change that loses data without --accept-data-loss", async () => {
    const pkg = await copyPackage({ withMigrations: false });
    await pkg.editSchema(addBio);
    expect((await pkg.prisma(["db", "push"])).exitCode).toBe(0);
    await pkg.sql("INSERT INTO \"user\" (name, username, email, hashed_password, uuid, bio) VALUES ('A', 'a', 'a@x', 'h', gen_random_uuid(), 'hello')");
    const { schemaPath } = await import("../src/paths.ts");
    await writeFile(path.join(pkg.dir, "schema.prisma"), await readFile(schemaPath, "utf8"));
    const refused = await pkg.prisma(["db", "push"]);
    expect(refused.exitCode).toBe(1);
    expect(output(refused)).toContain("There might be data loss");
    expect(await pkg.sql('SELECT bio FROM "user"')).toEqual([{ bio: "hello" }]);
  });

  it("execute runs a script from a file or stdin, all or nothing", async () => {
    const pkg = await copyPackage();
    await writeFile(path.join(pkg.dir, "script.sql"), "CREATE TABLE from_file (id int);\nDO $$ BEGIN INSERT INTO from_file VALUES (1); END $$;");
    const run = await pkg.prisma(["db", "execute", "--file", "script.sql"]);
    expect(run.exitCode, output(run)).toBe(0);
    expect(output(run)).toContain("Script executed successfully.");
    expect(await pkg.sql("SELECT id FROM from_file")).toEqual([{ id: 1 }]);

    await writeFile(path.join(pkg.dir, "bad.sql"), "CREATE TABLE never_made (id int);\nSELEC 1;");
    const bad = await pkg.prisma(["db", "execute", "--file", "bad.sql"]);
    expect(bad.exitCode).toBe(1);
    expect(await pkg.sql("SELECT count(*)::int AS n FROM pg_tables WHERE tablename = 'never_made'")).toEqual([{ n: 0 }]);
  });
});

describe("connection errors", () => {
  it("P1001 when the server cannot be reached", async () => {
    const pkg = await copyPackage();
    const run = await pkg.prisma(["migrate", "status"], { DATABASE_URL: "postgresql://postgres@127.0.0.1:1/app" });
    expect(run.exitCode).toBe(1);
    expect(output(run)).toContain("Error: P1001: Can't reach database server at `127.0.0.1:1`");
  });

  it("P1003 when the database does not exist (status creates nothing)", async () => {
    const pkg = await copyPackage();
    const missing = pkg.url.replace(/\/([^/?]+)(\?|$)/, "/$1_absent$2");
    const run = await pkg.prisma(["migrate", "status"], { DATABASE_URL: missing });
    expect(run.exitCode).toBe(1);
    expect(output(run)).toMatch(/Error: P1003: Database `\S+_absent` does not exist on the database server at `127\.0\.0\.1:\d+`/);
  });
});

describe("prisma generate and the engine binary", () => {
  it("generate works without any native engine or network", async () => {
    const pkg = await copyPackage();
    const run = await pkg.prisma(["generate"], { DATABASE_URL: "" });
    expect(run.exitCode, output(run)).toBe(0);
    expect(output(run)).toContain("Generated Prisma Client");
    expect(await readFile(path.join(pkg.dir, "src", "generated", "prisma", "client.ts"), "utf8")).toContain("PrismaClient");
  });

  it("a PRISMA_SCHEMA_ENGINE_BINARY set by the user is the one the CLI runs", async () => {
    const pkg = await copyPackage();
    const dir = await mkdtemp(path.join(tmpdir(), "own-engine-"));
    const marker = path.join(dir, "ran");
    const engine = path.join(dir, "schema-engine");
    await writeFile(engine, `#!/bin/sh\necho "$@" > "${marker}"\nexit 3\n`);
    await chmod(engine, 0o755);
    try {
      await pkg.prisma(["migrate", "status"], { PRISMA_SCHEMA_ENGINE_BINARY: engine });
      expect(await readFile(marker, "utf8")).toContain("--datasource");
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
