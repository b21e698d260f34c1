// down: rolling back with down.sql, in a transaction, keeping the rollback in history; and the
// seed's "test rollbacks": up → down → up leaves the same schema.
import { describe, expect, it } from "vitest";
import { deploy, down, getHistory, getStatus, NoDownScriptError, plan, up } from "../src/index.ts";
import { project, schemaSnapshot } from "./helpers.ts";

const USERS_UP = "CREATE TABLE users (id serial PRIMARY KEY, email text NOT NULL);\nCREATE UNIQUE INDEX users_email_key ON users (email);\n";
const USERS_DOWN = "DROP TABLE users;\n";
const BIO_UP = "ALTER TABLE users ADD COLUMN bio varchar(500);\n";
const BIO_DOWN = "ALTER TABLE users DROP COLUMN bio;\n";

describe("down", () => {
  it("rolls back the last migration with its down.sql; it is pending again and the rollback stays in history", async () => {
    const p = await project();
    await p.write("20240101000000_users", USERS_UP, USERS_DOWN);
    await p.write("20240102000000_bio", BIO_UP, BIO_DOWN);
    await deploy(p.options);
    const result = await down(p.options);
    expect(result.ok).toBe(true);
    expect(result.steps.map((s) => [s.name, s.direction, s.outcome])).toEqual([["20240102000000_bio", "down", "applied"]]);
    expect(await p.sql("SELECT count(*)::int AS n FROM information_schema.columns WHERE table_name = 'users' AND column_name = 'bio'")).toEqual([{ n: 0 }]);
    const status = await getStatus(p.options);
    expect(status.pending).toEqual(["20240102000000_bio"]);
    expect(status.current).toBe("20240101000000_users");
    const history = await getHistory(p.options);
    expect(history.map((h) => [h.name, h.outcome])).toEqual([
      ["20240101000000_users", "applied"],
      ["20240102000000_bio", "rolled back"],
    ]);
  });

  it("refuses, before running anything, to roll back a migration without down.sql", async () => {
    const p = await project();
    await p.write("20240101000000_users", USERS_UP, USERS_DOWN);
    await p.write("20240102000000_bio", BIO_UP);
    await deploy(p.options);
    const error = await down(p.options, "base").catch((e: unknown) => e);
    expect(error).toBeInstanceOf(NoDownScriptError);
    expect((error as Error).message).toBe("Cannot roll back 20240102000000_bio: no down.sql beside its migration.sql. Nothing was run.");
    expect((await getStatus(p.options)).applied).toHaveLength(2);
  });

  it("down base, down -N and down <name> pick the right migrations, newest first", async () => {
    const p = await project();
    await p.write("20240101000000_users", USERS_UP, USERS_DOWN);
    await p.write("20240102000000_bio", BIO_UP, BIO_DOWN);
    await p.write("20240103000000_age", "ALTER TABLE users ADD COLUMN age int;\n", "ALTER TABLE users DROP COLUMN age;\n");
    await deploy(p.options);
    expect((await plan(p.options, "down", "users")).steps.map((s) => s.name)).toEqual(["20240103000000_age", "20240102000000_bio"]);
    expect((await down(p.options, "-2")).steps.map((s) => s.name)).toEqual(["20240103000000_age", "20240102000000_bio"]);
    expect((await down(p.options, "base")).steps.map((s) => s.name)).toEqual(["20240101000000_users"]);
    expect(await p.sql("SELECT count(*)::int AS n FROM pg_tables WHERE tablename = 'users'")).toEqual([{ n: 0 }]);
  });

  it("a failing down.sql changes nothing and keeps the migration applied", async () => {
    const p = await project();
    await p.write("20240101000000_users", USERS_UP, "DROP TABLE users;\nDROP TABLE no_such_table;\n");
    await deploy(p.options);
    const result = await down(p.options);
    expect(result.ok).toBe(false);
    expect(result.steps[0]?.error).toMatchObject({ sqlState: "42P01", rolledBack: true });
    expect(await p.sql("SELECT count(*)::int AS n FROM pg_tables WHERE tablename = 'users'")).toEqual([{ n: 1 }]);
    expect((await getStatus(p.options)).applied).toEqual(["20240101000000_users"]);
  });

  it("up → down → up leaves an identical schema (the seed's tested rollbacks)", async () => {
    const p = await project();
    await p.write("20240101000000_users", USERS_UP, USERS_DOWN);
    await p.write("20240102000000_bio", BIO_UP + "CREATE INDEX users_bio_idx ON users (bio);\n", "DROP INDEX users_bio_idx;\n" + BIO_DOWN);
    await deploy(p.options);
    const once = await schemaSnapshot(p.url);
    await down(p.options, "base");
    expect(await schemaSnapshot(p.url)).toEqual({ columns: [], constraints: [], indexes: [] });
    await up(p.options);
    expect(await schemaSnapshot(p.url)).toEqual(once);
  });
});
