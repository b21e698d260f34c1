import { describe, expect, it } from "vitest";
import { renderDatabaseError, translateEngineError } from "./engine-errors.ts";
import { rethrowAsAdapterError } from "./pg-adapter/errors.ts";

/** Records a server error as the adapter does when PostgreSQL rejects a script. */
function recordServerError(sql: string, position: number) {
  const error = Object.assign(new Error('syntax error at or near "SELEC"'), { code: "42601", severity: "ERROR", position: String(position) });
  try {
    rethrowAsAdapterError(error, sql);
  } catch {
    // The adapter rethrows; the record is what matters here.
  }
}

describe("renderDatabaseError", () => {
  it("shows the message, detail, hint and the numbered lines up to the error", () => {
    const sql = "CREATE TABLE a (id int);\n\nSELEC 1;\nSELECT 2;";
    const text = renderDatabaseError({ code: "42601", severity: "ERROR", message: "boom", detail: "d", hint: "h", position: sql.indexOf("SELEC") + 1, sql });
    expect(text).toBe("ERROR: boom\nDETAIL: d\nHINT: h\n\nPosition:\n  1 CREATE TABLE a (id int);\n  2 \n  3 SELEC 1;");
  });
});

describe("translateEngineError", () => {
  it("turns a failed migration script into P3018 with the SQLSTATE and the migration's name", () => {
    const sql = "CREATE TABLE ok (id int);\nSELEC broken;";
    recordServerError(sql, sql.indexOf("SELEC") + 1);
    const wasmError = { name: "SchemaConnectorError", message: 'external connector error\nError querying the database: x\n   0: sql_schema_connector::apply_migration::apply_script\n           with migration_name="20240101000000_bad"\n' };
    const translated = translateEngineError(wasmError);
    expect(translated?.code).toBe("P3018");
    expect(translated?.message).toContain("Migration name: 20240101000000_bad");
    expect(translated?.message).toContain("Database error code: 42601");
    expect(translated?.message).toContain("  2 SELEC broken;");
  });

  it("keeps a user-facing code (P3006) and replaces only the generic inner error", () => {
    recordServerError("SELEC 1", 1);
    const translated = translateEngineError({ code: "P3006", message: "Migration `m` failed to apply cleanly to the shadow database. \nError:\nexternal connector error\nError querying the database: x" });
    expect(translated?.code).toBe("P3006");
    expect(translated?.message).toMatch(/^Migration `m` failed to apply cleanly to the shadow database\. \nError:\nDatabase error code: 42601/);
    expect(translated?.message).not.toContain("external connector error");
  });

  it("leaves other errors alone", () => {
    expect(translateEngineError(new Error("P1001: Can't reach database server"))).toBeUndefined();
  });
});
