import { ColumnTypeEnum, type SqlDriverAdapter } from "@prisma/driver-adapter-utils";
import { describe, expect, it, onTestFinished } from "vitest";
import { parseConnectionUrl } from "../src/connection-config.ts";
import { createAdapterFactory } from "../src/pg-adapter/adapter.ts";
import { ShadowDatabases } from "../src/pg-adapter/shadow-databases.ts";
import { userFacingError } from "../src/user-facing-errors.ts";
import { freshDatabase, shadowDatabasesOf, sql } from "./helpers.ts";

async function adapterFor(url: string): Promise<SqlDriverAdapter> {
  const adapter = await createAdapterFactory({ url, shadowDatabases: new ShadowDatabases() }).connect();
  onTestFinished(() => adapter.dispose());
  return adapter;
}

const query = (text: string) => ({ sql: text, args: [], argTypes: [] });

describe("the bridge's PostgreSQL adapter", () => {
  it("reads the catalog types the schema describer needs ('char' as Character, vectors as text)", async () => {
    const adapter = await adapterFor(await freshDatabase());
    await adapter.executeScript("CREATE TABLE t (id int PRIMARY KEY, a int, b int); CREATE INDEX t_ab ON t (a, b);");
    const constraints = await adapter.queryRaw(query("SELECT contype FROM pg_constraint WHERE conrelid = 't'::regclass"));
    expect(constraints.columnTypes).toEqual([ColumnTypeEnum.Character]);
    expect(constraints.rows).toEqual([["p"]]);
    const index = await adapter.queryRaw(query("SELECT indkey, indclass, indexprs FROM pg_index WHERE indexrelid = 't_ab'::regclass"));
    expect(index.columnTypes).toEqual([ColumnTypeEnum.Text, ColumnTypeEnum.Text, ColumnTypeEnum.Text]);
    expect(index.rows[0]?.[0]).toBe("2 3");
  });

  it("returns values in the engine's shapes: int8 and numeric as text, date-times as RFC 3339 UTC", async () => {
    const adapter = await adapterFor(await freshDatabase());
    const result = await adapter.queryRaw(
      query("SELECT 9007199254740993::int8, 1.10::numeric, true, TIMESTAMPTZ '2024-02-03 04:05:06.789+02', TIMESTAMP '2024-02-03 04:05:06', DATE '2024-02-03', '{\"a\":1}'::jsonb"),
    );
    expect(result.columnTypes).toEqual([
      ColumnTypeEnum.Int64, ColumnTypeEnum.Numeric, ColumnTypeEnum.Boolean, ColumnTypeEnum.DateTime,
      ColumnTypeEnum.DateTime, ColumnTypeEnum.Date, ColumnTypeEnum.Json,
    ]);
    expect(result.rows[0]).toEqual(["9007199254740993", "1.10", true, "2024-02-03T02:05:06.789+00:00", "2024-02-03T04:05:06+00:00", "2024-02-03", '{"a": 1}']);
  });

  it("sends arguments with their types (datetime as UTC text)", async () => {
    const adapter = await adapterFor(await freshDatabase());
    const result = await adapter.queryRaw({
      sql: "SELECT $1::timestamptz AS at, $2::text AS name",
      args: ["2024-02-03T04:05:06.007Z", "x"],
      argTypes: [{ scalarType: "datetime", arity: "scalar" }, { scalarType: "string", arity: "scalar" }],
    });
    expect(result.rows[0]).toEqual(["2024-02-03T04:05:06.007+00:00", "x"]);
  });

  it("runs a script whole: dollar-quoted bodies keep their semicolons", async () => {
    const url = await freshDatabase();
    const adapter = await adapterFor(url);
    await adapter.executeScript(`
      CREATE TABLE counter (n int);
      DO $$ BEGIN INSERT INTO counter VALUES (1); INSERT INTO counter VALUES (2); END $$;
      CREATE FUNCTION twice(x int) RETURNS int LANGUAGE plpgsql AS $fn$ BEGIN RETURN x * 2; END; $fn$;`);
    expect(await sql(url, "SELECT sum(n)::int AS total, twice(21) AS answer FROM counter")).toEqual([{ total: 3, answer: 42 }]);
  });

  it("runs a script all or nothing: a failing statement leaves no earlier statement applied", async () => {
    const url = await freshDatabase();
    const adapter = await adapterFor(url);
    await expect(adapter.executeScript("CREATE TABLE first_one (id int); SELEC 1; CREATE TABLE never (id int);")).rejects.toMatchObject({
      name: "DriverAdapterError",
      cause: { kind: "postgres", code: "42601" },
    });
    expect(await sql(url, "SELECT count(*)::int AS n FROM pg_tables WHERE tablename IN ('first_one', 'never')")).toEqual([{ n: 0 }]);
  });

  it("creates a shadow database beside the main one and drops it on dispose", async () => {
    const url = await freshDatabase();
    const registry = new ShadowDatabases();
    const shadow = await createAdapterFactory({ url, shadowDatabases: registry }).connectToShadowDb();
    const [{ current } = { current: "" }] = (await shadow.queryRaw(query("SELECT current_database() AS current"))).rows.map(([current]) => ({ current: String(current) }));
    expect(current).toMatch(/^prisma_migrate_shadow_db_/);
    expect(current).not.toBe(parseConnectionUrl(url).database);
    expect(await shadowDatabasesOf(url)).toEqual([current]);
    await shadow.dispose();
    expect(registry.size).toBe(0);
    expect(await shadowDatabasesOf(url)).toEqual([]);
  });

  it("drops shadow databases nobody disposed (a panic, an interrupted command)", async () => {
    const url = await freshDatabase();
    const registry = new ShadowDatabases();
    const factory = createAdapterFactory({ url, shadowDatabases: registry });
    await factory.connectToShadowDb();
    await factory.connectToShadowDb();
    expect(registry.size).toBe(2);
    expect(await shadowDatabasesOf(url)).toHaveLength(2);
    await registry.dropAll();
    await factory.closeAll();
    expect(await shadowDatabasesOf(url)).toEqual([]);
  });
});

describe("connection failures", () => {
  it("maps an unreachable server to P1001 and a missing database to P1003", async () => {
    const unreachable = "postgresql://postgres@127.0.0.1:1/nothing";
    const error1 = await createAdapterFactory({ url: unreachable, shadowDatabases: new ShadowDatabases() }).connect().catch((e: unknown) => e);
    expect(userFacingError(error1, parseConnectionUrl(unreachable))).toMatchObject({ code: "P1001", message: expect.stringContaining("127.0.0.1:1") });

    const missing = (await freshDatabase()).replace(/\/[^/?]+(\?|$)/, "/no_such_database_here$1");
    const error2 = await createAdapterFactory({ url: missing, shadowDatabases: new ShadowDatabases() }).connect().catch((e: unknown) => e);
    expect(userFacingError(error2, parseConnectionUrl(missing))).toMatchObject({ code: "P1003", message: expect.stringContaining("no_such_database_here") });
  });
});
