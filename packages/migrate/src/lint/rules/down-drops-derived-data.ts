// A down.sql that drops what migration.sql filled from existing data (`UPDATE t SET new = f(old)`,
// `INSERT INTO t SELECT … FROM …`): after the up, the application writes to the new place, and a
// rollback that drops it loses every value written since, unless down.sql copies them back first.
import { alterTable, columnsRead, createdTable, droppedTables, quote, sameTable, tableOf, tablesRead, tableText, type Table } from "../ast.ts";
import type { SqlFile } from "../sql-file.ts";
import type { RuleHit, StatementRule } from "./rule.ts";

interface Derived {
  table: Table;
  /** The column filled, or undefined when whole rows were copied into the table. */
  column?: string | undefined;
  line: number;
}

export const downDropsDerivedData: StatementRule = {
  id: "down-drops-derived-data",
  severity: "error",
  files: "down",
  summary: "a down.sql that drops a column or table the up script filled from existing data",
  check(statement, { file, up }) {
    const derived = derivedData(up);
    if (derived.length === 0) return [];
    const earlier = file.statements.slice(0, statement.index);
    const hits: RuleHit[] = [];
    const report = (entry: Derived, what: string) =>
      hits.push({
        message: `down.sql drops ${what}, which migration.sql filled from existing data (line ${entry.line}): a rollback loses every value written there since the migration ran, and nothing here copies them back.`,
        fix: `Before the DROP, copy the values back to where the previous release reads them (e.g. \`UPDATE ${tableText(entry.table)} SET <old column> = ${entry.column ? quote(entry.column) : "…"};\`), or keep it in down.sql and drop it in a later migration once nothing needs it.`,
      });
    for (const table of droppedTables(statement.node)) {
      const entry = derived.find((d) => sameTable(d.table, table));
      if (entry && !copiedBack(earlier, table, undefined)) report(entry, entry.column ? `${tableText(table)} (with ${quote(entry.column)})` : tableText(table));
    }
    const alter = alterTable(statement.node);
    for (const cmd of alter?.cmds ?? []) {
      if (!alter || cmd.subtype !== "AT_DropColumn" || !cmd.name) continue;
      const entry = derived.find((d) => d.column === cmd.name && sameTable(d.table, alter.table));
      if (entry && !copiedBack(earlier, alter.table, cmd.name)) report(entry, `${tableText(alter.table)}.${quote(cmd.name)}`);
    }
    return hits;
  },
};

/** What the up script wrote from data already in the database. */
function derivedData(up: SqlFile): Derived[] {
  const derived: Derived[] = [];
  for (const { node, line } of up.statements) {
    if ("UpdateStmt" in node) {
      const table = tableOf(node.UpdateStmt.relation);
      const fromOthers = (node.UpdateStmt.fromClause?.length ?? 0) > 0;
      for (const target of node.UpdateStmt.targetList ?? []) {
        if (!table || !("ResTarget" in target) || !target.ResTarget.name) continue;
        const value = target.ResTarget.val;
        if (fromOthers || columnsRead(value).size > 0 || tablesRead(value).length > 0) derived.push({ table, column: target.ResTarget.name, line });
      }
    }
    if ("InsertStmt" in node) {
      const table = tableOf(node.InsertStmt.relation);
      if (table && tablesRead(node.InsertStmt.selectStmt).length > 0) derived.push({ table, line });
    }
    const created = createdTable(node);
    if (created && "CreateTableAsStmt" in node && tablesRead(node.CreateTableAsStmt.query).length > 0) derived.push({ table: created, line });
  }
  return derived;
}

/** Whether an earlier statement of down.sql reads the column (or the table) in an UPDATE or INSERT: the values are copied back. */
function copiedBack(earlier: SqlFile["statements"], table: Table, column: string | undefined): boolean {
  return earlier.some(({ node }) => {
    if (!("UpdateStmt" in node) && !("InsertStmt" in node)) return false;
    const readsTable = tablesRead("UpdateStmt" in node ? node.UpdateStmt.fromClause : node.InsertStmt.selectStmt).some((t) => sameTable(t, table));
    if (column === undefined) return readsTable;
    const target = tableOf("UpdateStmt" in node ? node.UpdateStmt.relation : undefined);
    const updatesTable = target !== undefined && sameTable(target, table);
    return (readsTable || updatesTable) && columnsRead("UpdateStmt" in node ? node.UpdateStmt.targetList : node.InsertStmt.selectStmt).has(column);
  });
}
