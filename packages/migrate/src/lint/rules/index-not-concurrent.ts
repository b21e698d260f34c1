// CREATE INDEX without CONCURRENTLY holds a SHARE lock on the table for the whole build: every
// INSERT, UPDATE and DELETE waits. Fine on a table the same file just created (nobody writes to it).
import { quote, tableOf, tableText } from "../ast.ts";
import type { StatementRule } from "./rule.ts";

export const indexNotConcurrent: StatementRule = {
  id: "index-not-concurrent",
  severity: "error",
  files: "both",
  summary: "CREATE INDEX on an existing table without CONCURRENTLY",
  check({ node }, { state }) {
    if (!("IndexStmt" in node) || node.IndexStmt.concurrent === true) return [];
    const table = tableOf(node.IndexStmt.relation);
    if (!table || state.isNew(table)) return [];
    const name = node.IndexStmt.idxname;
    return [
      {
        message: `CREATE ${node.IndexStmt.unique ? "UNIQUE " : ""}INDEX${name ? ` ${quote(name)}` : ""} on ${tableText(table)}, an existing table, blocks every write to it (SHARE lock) until the whole index is built.`,
        fix: `CREATE ${node.IndexStmt.unique ? "UNIQUE " : ""}INDEX CONCURRENTLY${name ? ` ${quote(name)}` : ""} ON ${tableText(table)} (…): writes go on during the build. The migrator runs a file with CONCURRENTLY statement by statement (outside a transaction) and rebuilds an index a failed build left INVALID; keep other changes in their own migration.`,
      },
    ];
  },
};
