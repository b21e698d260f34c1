import { describe, expect, it } from "vitest";
import { SqlSyntaxError } from "./errors.ts";
import { splitStatements } from "./split.ts";

async function syntaxErrorOf(sql: string): Promise<SqlSyntaxError> {
  const error = await splitStatements(sql).then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(SqlSyntaxError);
  return error as SqlSyntaxError;
}

describe("syntax errors", () => {
  it("carry PostgreSQL's message, the 1-based line and column and the line's text", async () => {
    const error = await syntaxErrorOf("CREATE TABLE a (id int);\n\n-- next\nSELECT 1;\n    SELEC 2;\n");
    expect(error).toMatchObject({
      code: "SQL_SYNTAX",
      parserMessage: 'syntax error at or near "SELEC"',
      line: 5,
      column: 5,
      lineText: "    SELEC 2;",
    });
    expect(error.message).toBe('syntax error at or near "SELEC" (line 5, column 5)');
  });

  it("count the column in characters after non-ASCII text on the same line", async () => {
    const sql = "SELECT 1;\nSELECT 'é😀' FROM;";
    const error = await syntaxErrorOf(sql);
    expect(error).toMatchObject({ line: 2, column: 17, lineText: "SELECT 'é😀' FROM;" });
    expect(sql[error.position]).toBe(";");
  });

  it("point at the end of the last line for an error at end of input", async () => {
    const error = await syntaxErrorOf("SELECT 1;\nSELECT (\n\n");
    expect(error).toMatchObject({ parserMessage: "syntax error at end of input", line: 2, column: 9, lineText: "SELECT (" });
  });

  it("report an unterminated dollar quote", async () => {
    const error = await syntaxErrorOf("SELECT 1;\nDO $$ BEGIN NULL; END;\n");
    expect(error.parserMessage).toMatch(/unterminated dollar-quoted string/);
    expect(error.line).toBe(2);
  });

  it("refuse a NUL character instead of silently dropping what follows it", async () => {
    const error = await syntaxErrorOf("SELECT 1;\nSELECT 2\0; DROP TABLE users;");
    expect(error).toMatchObject({ line: 2, column: 9 });
    expect(error.parserMessage).toMatch(/NUL/);
  });

  it("reject replication-protocol commands, which are not SQL", async () => {
    const error = await syntaxErrorOf("CREATE_REPLICATION_SLOT s LOGICAL pgoutput;");
    expect(error).toMatchObject({ line: 1, column: 1 });
  });
});
