import { describe, expect, it } from "vitest";
import { splitStatements } from "./split.ts";
import { summarize } from "./summary.ts";

describe("summarize", () => {
  it("says a file runs in one transaction when every statement can", async () => {
    expect(summarize(await splitStatements("CREATE TABLE a (id int); CREATE INDEX i ON a (id);"))).toEqual({
      transactional: true,
      nonTransactional: [],
    });
    expect(summarize([])).toEqual({ transactional: true, nonTransactional: [] });
  });

  it("lists the statements that cannot, in order, with their reasons", async () => {
    const summary = summarize(
      await splitStatements("CREATE TABLE a (id int);\nCREATE INDEX CONCURRENTLY i ON a (id);\nVACUUM a;"),
    );
    expect(summary.transactional).toBe(false);
    expect(summary.nonTransactional.map((s) => [s.line, s.kind, s.reason])).toEqual([
      [2, "IndexStmt", "CREATE INDEX CONCURRENTLY cannot run inside a transaction block"],
      [3, "VacuumStmt", "VACUUM cannot run inside a transaction block"],
    ]);
  });
});
