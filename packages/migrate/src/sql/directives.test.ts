import { describe, expect, it } from "vitest";
import { parseDirectives } from "./directives.ts";
import { SqlDirectiveError } from "./errors.ts";

function directiveError(sql: string): SqlDirectiveError {
  try {
    parseDirectives(sql);
  } catch (error) {
    expect(error).toBeInstanceOf(SqlDirectiveError);
    return error as SqlDirectiveError;
  }
  throw new Error("expected a SqlDirectiveError");
}

describe("parseDirectives", () => {
  it("reads every known key from header lines, several per line", () => {
    const sql = "-- migrate: lock_timeout=5s statement_timeout=2min\n--migrate: transaction=false retries=3\nCREATE INDEX CONCURRENTLY i ON t (a);";
    expect(parseDirectives(sql)).toEqual({
      lockTimeout: { text: "5s", ms: 5000 },
      statementTimeout: { text: "2min", ms: 120_000 },
      transaction: false,
      retries: 3,
    });
  });

  it("reads directives among other comments, blank lines and block comments", () => {
    const sql = "\uFEFF/* generated; /* nested */ */\n-- AddIndex\n\n-- Migrate: lock_timeout=500 transaction=true\r\nSELECT 1;";
    expect(parseDirectives(sql)).toEqual({ lockTimeout: { text: "500", ms: 500 }, transaction: true });
  });

  it("returns nothing for a file without directives", () => {
    expect(parseDirectives("-- CreateTable\nCREATE TABLE t (id int);")).toEqual({});
    expect(parseDirectives("")).toEqual({});
  });

  it("leaves `-- migrate:allow` lint suppressions in the header alone", () => {
    expect(parseDirectives("-- migrate: retries=2\n-- migrate:allow ban-drop-table moved to the analytics store\nDROP TABLE t;")).toEqual({ retries: 2 });
  });

  it("ignores directives after the first statement", () => {
    const sql = "-- migrate: retries=1\nSELECT 1;\n-- migrate: lock_timeout=1s\n-- migrate: bogus=1\nSELECT 2;";
    expect(parseDirectives(sql)).toEqual({ retries: 1 });
  });

  it("ignores directive-looking text inside a block comment", () => {
    expect(parseDirectives("/*\n-- migrate: bogus=1\n*/\nSELECT 1;")).toEqual({});
  });

  it("refuses an unknown key, naming the line, the key and the accepted keys", () => {
    const error = directiveError("-- CreateTable\n-- migrate: lock_timout=5s\nSELECT 1;");
    expect(error).toMatchObject({ code: "INVALID_DIRECTIVE", line: 2, key: "lock_timout" });
    expect(error.message).toBe('Line 2: unknown directive key "lock_timout".');
    expect(error.accepted).toMatch(/lock_timeout, statement_timeout, transaction, retries/);
  });

  it("refuses a malformed duration, listing the duration forms", () => {
    const error = directiveError("-- migrate: statement_timeout=10sec");
    expect(error).toMatchObject({ line: 1, key: "statement_timeout", value: "10sec" });
    expect(error.hint).toMatch(/500ms, 10s, 2min, 1h/);
  });

  it.each([
    ["transaction=yes", "transaction", /true or false/],
    ["retries=-1", "retries", /whole number/],
    ["retries=1.5", "retries", /whole number/],
    ["lock_timeout", "lock_timeout", /milliseconds/],
    ["lock_timeout=", "lock_timeout", /milliseconds/],
  ])("refuses %s", (text, key, accepted) => {
    const error = directiveError(`-- migrate: ${text}\nSELECT 1;`);
    expect(error.key).toBe(key);
    expect(error.accepted).toMatch(accepted);
  });

  it("refuses a key given twice and an empty directive", () => {
    expect(directiveError("-- migrate: retries=1\n-- migrate: retries=2").message).toMatch(/already set on line 1/);
    expect(directiveError("-- migrate:\nSELECT 1;").message).toMatch(/empty/);
  });
});
