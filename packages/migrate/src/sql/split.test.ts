import { describe, expect, it, vi } from "vitest";
import { loadParser } from "./parser.ts";
import { splitStatements, splitStatementsSync } from "./split.ts";

const texts = async (sql: string) => (await splitStatements(sql)).map((statement) => statement.sql);

describe("splitStatements", () => {
  it("cuts at top-level semicolons and drops the terminators", async () => {
    expect(await texts("SELECT 1;\nSELECT 2;\n")).toEqual(["SELECT 1", "SELECT 2"]);
  });

  it("keeps a semicolon inside a string literal", async () => {
    expect(await texts("INSERT INTO t VALUES ('a;b');SELECT 'it''s; fine';")).toEqual([
      "INSERT INTO t VALUES ('a;b')",
      "SELECT 'it''s; fine'",
    ]);
  });

  it("keeps a semicolon inside an E'' string with an escaped quote", async () => {
    expect(await texts("SELECT E'a\\';b' AS x; SELECT 2")).toEqual(["SELECT E'a\\';b' AS x", "SELECT 2"]);
  });

  it("does not split on semicolons inside line and block comments", async () => {
    const sql = "SELECT 1 -- not; a split\n+ 1; /* nor; /* nested; */ this; */ SELECT 2;";
    expect(await texts(sql)).toEqual(["SELECT 1 -- not; a split\n+ 1", "SELECT 2"]);
  });

  it("keeps dollar-quoted DO and function bodies whole", async () => {
    const doBlock = "DO $body$\nBEGIN\n  PERFORM 1;\n  RAISE NOTICE 'x;y';\nEND\n$body$";
    const fn = "CREATE FUNCTION f() RETURNS trigger LANGUAGE plpgsql AS $$\nBEGIN\n  NEW.a := 1;\n  RETURN NEW;\nEND;\n$$";
    const statements = await splitStatements(`${doBlock};\n${fn};\nSELECT 3;`);
    expect(statements.map((s) => [s.kind, s.sql])).toEqual([
      ["DoStmt", doBlock],
      ["CreateFunctionStmt", fn],
      ["SelectStmt", "SELECT 3"],
    ]);
  });

  it("keeps a SQL-standard BEGIN ATOMIC body whole", async () => {
    const fn = "CREATE FUNCTION g() RETURNS int LANGUAGE sql BEGIN ATOMIC SELECT 1; SELECT 2; END";
    expect(await texts(`${fn};SELECT 3`)).toEqual([fn, "SELECT 3"]);
  });

  it("keeps semicolons in quoted identifiers, nested dollar tags and multi-action rules", async () => {
    const rule = "CREATE RULE r AS ON INSERT TO t DO ALSO (INSERT INTO a VALUES (1); INSERT INTO b VALUES (2))";
    expect(await texts(`CREATE TABLE "we;ird" ("a;b" int);\nSELECT $tag$ a $$ ; $tag$;\n${rule};`)).toEqual([
      'CREATE TABLE "we;ird" ("a;b" int)',
      "SELECT $tag$ a $$ ; $tag$",
      rule,
    ]);
  });

  it("returns no statements for a file of only comments, or an empty one", async () => {
    expect(await splitStatements("-- nothing here;\n/* still; nothing */\n\n")).toEqual([]);
    expect(await splitStatements("")).toEqual([]);
    expect(await splitStatements(" \n\t\n")).toEqual([]);
    expect(await splitStatements(";;\n;")).toEqual([]);
  });

  it("takes a last statement without a semicolon, trailing comment excluded", async () => {
    const statements = await splitStatements("SELECT 1;\nSELECT 2 -- the end\n");
    expect(statements.map((s) => s.sql)).toEqual(["SELECT 1", "SELECT 2"]);
  });

  it("excludes comments between a statement and its semicolon", async () => {
    expect(await texts("SELECT 1 /* why */ -- because\n;")).toEqual(["SELECT 1"]);
  });

  it("reports offsets such that file.slice(start, end) is the statement", async () => {
    const sql = "-- header\n\n  CREATE TABLE a (id int);\n\nCREATE TABLE b (id int)";
    for (const statement of await splitStatements(sql)) {
      expect(sql.slice(statement.start, statement.end)).toBe(statement.sql);
    }
    expect((await splitStatements(sql))[0]?.start).toBe(sql.indexOf("CREATE TABLE a"));
  });

  it("gives the 1-based line where each statement starts, after leading comments", async () => {
    const sql = "-- CreateTable\n-- another comment\n\nCREATE TABLE a (\n  id int\n);\n\n/* block\n comment */\nSELECT 1;\r\nSELECT 2;";
    expect((await splitStatements(sql)).map((s) => [s.line, s.sql.split("\n")[0]])).toEqual([
      [4, "CREATE TABLE a ("],
      [10, "SELECT 1"],
      [11, "SELECT 2"],
    ]);
  });

  it("cuts correctly after non-ASCII text (the parser counts UTF-8 bytes)", async () => {
    const sql = "-- café ☕ résumé\nINSERT INTO t (s) VALUES ('é😀;ü');\nCOMMENT ON TABLE t IS 'naïve 🎉';\nSELECT 'ok'";
    const statements = await splitStatements(sql);
    expect(statements.map((s) => s.sql)).toEqual([
      "INSERT INTO t (s) VALUES ('é😀;ü')",
      "COMMENT ON TABLE t IS 'naïve 🎉'",
      "SELECT 'ok'",
    ]);
    for (const statement of statements) expect(sql.slice(statement.start, statement.end)).toBe(statement.sql);
    expect(statements.map((s) => s.line)).toEqual([2, 3, 4]);
  });

  it("ignores a byte order mark at the start of the file", async () => {
    const sql = "\uFEFFSELECT 1;";
    expect(await splitStatements(sql)).toMatchObject([{ sql: "SELECT 1", start: 1, end: 9, line: 1 }]);
  });

  it("names the index a CREATE INDEX builds, as PostgreSQL stores the name", async () => {
    const statements = await splitStatements(
      'CREATE INDEX CONCURRENTLY "User_Email_idx" ON app."User" (email);\nCREATE INDEX Lower_Case ON t (a);\nCREATE INDEX ON t (b);\nSELECT 1;',
    );
    expect(statements.map((s) => [s.indexName, s.indexSchema])).toEqual([
      ["User_Email_idx", "app"],
      ["lower_case", undefined],
      [undefined, undefined],
      [undefined, undefined],
    ]);
    expect(Object.keys(statements[3] ?? {})).not.toContain("indexName");
  });

  it("has a synchronous form once the parser is loaded", async () => {
    await loadParser();
    expect(splitStatementsSync("SELECT 1; VACUUM").map((s) => s.kind)).toEqual(["SelectStmt", "VacuumStmt"]);
  });
});

describe("splitStatementsSync before loadParser", () => {
  it("throws a typed error instead of parsing with an unloaded parser", async () => {
    vi.resetModules(); // a module graph in which nothing loaded the parser yet
    const fresh = await import("./split.ts");
    expect(() => fresh.splitStatementsSync("SELECT 1")).toThrowError(/needs the SQL parser/);
    try {
      fresh.splitStatementsSync("SELECT 1");
    } catch (error) {
      expect(error).toMatchObject({ code: "SQL_PARSER_NOT_LOADED" });
    }
  });
});
