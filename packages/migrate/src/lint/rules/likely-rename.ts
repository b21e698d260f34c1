// Prisma turns a renamed field into DROP COLUMN + ADD COLUMN, and a renamed model into DROP TABLE +
// CREATE TABLE: the migration runs, and every value is gone. A column dropped while another is added
// to the same table in one file is flagged unless the file copies the old values first
// (`UPDATE t SET new = old`).
import type { Node as PgNode } from "libpg-query";
import { alterTable, columnDefOf, columnsRead, createdTable, droppedTables, quote, sameTable, tablesRead, tableText, type Table } from "../ast.ts";
import type { SqlFile } from "../sql-file.ts";
import type { RuleHit, StatementRule } from "./rule.ts";

export const likelyRename: StatementRule = {
  id: "likely-rename",
  severity: "error",
  files: "both",
  summary: "a column dropped and another added to the same table in one migration (or a table dropped and another created)",
  check({ node }, { file, state }) {
    const hits: RuleHit[] = [];
    const alter = alterTable(node);
    if (alter && !state.isNew(alter.table)) {
      for (const cmd of alter.cmds) {
        if (cmd.subtype !== "AT_DropColumn" || !cmd.name) continue;
        if (copiedFrom(file, alter.table, cmd.name)) continue;
        const added = addedColumns(file, alter.table);
        if (added.length === 0) continue;
        const t = tableText(alter.table);
        if (added.includes(cmd.name)) {
          hits.push({
            message: `Column ${quote(cmd.name)} of ${t} is dropped and added again in the same migration: every value is lost (Prisma generates a type change it cannot cast this way).`,
            fix: `Keep the values: \`ALTER TABLE ${t} ALTER COLUMN ${quote(cmd.name)} TYPE … USING …;\` (or add a new column, backfill it, and drop the old one in a later release).`,
          });
          continue;
        }
        hits.push({
          message: `Column ${quote(cmd.name)} of ${t} is dropped while ${added.map(quote).join(", ")} ${added.length === 1 ? "is" : "are"} added in the same migration: if this is a rename, every value of ${quote(cmd.name)} is lost (Prisma generates a rename as DROP COLUMN + ADD COLUMN).`,
          fix: added.map((name) => `\`ALTER TABLE ${t} RENAME COLUMN ${quote(cmd.name as string)} TO ${quote(name)};\``).join(" or ") + " instead of the DROP and the ADD.",
        });
      }
    }
    for (const dropped of droppedTables(node)) {
      if (state.isNew(dropped) || copiedTable(file, dropped)) continue;
      const created = file.statements.map((s) => createdTable(s.node)).filter((table): table is Table => table !== undefined && !sameTable(table, dropped));
      if (created.length === 0) continue;
      hits.push({
        message: `Table ${tableText(dropped)} is dropped while ${created.map(tableText).join(", ")} ${created.length === 1 ? "is" : "are"} created in the same migration: if this is a rename (Prisma generates a renamed model this way), every row is lost.`,
        fix: created.map((table) => `\`ALTER TABLE ${tableText(dropped)} RENAME TO ${quote(table.name)};\``).join(" or ") + " instead of the DROP and the CREATE.",
      });
    }
    return hits;
  },
};

/** Columns some statement of the file adds to `table`. */
function addedColumns(file: SqlFile, table: Table): string[] {
  const added: string[] = [];
  for (const { node } of file.statements) {
    const alter = alterTable(node);
    if (!alter || !sameTable(alter.table, table)) continue;
    for (const cmd of alter.cmds) {
      const name = cmd.subtype === "AT_AddColumn" ? columnDefOf(cmd)?.colname : undefined;
      if (name && !added.includes(name)) added.push(name);
    }
  }
  return added;
}

/** Whether an UPDATE of `table` in the file reads `column` in what it sets (the values are copied). */
function copiedFrom(file: SqlFile, table: Table, column: string): boolean {
  return file.statements.some(({ node }) => {
    if (!("UpdateStmt" in node)) return false;
    const target = node.UpdateStmt.relation;
    if (!target?.relname || !sameTable({ schema: target.schemaname, name: target.relname }, table)) return false;
    return columnsRead(node.UpdateStmt.targetList).has(column);
  });
}

/** Whether an INSERT … SELECT or CREATE TABLE … AS in the file reads `table` (its rows are copied). */
function copiedTable(file: SqlFile, table: Table): boolean {
  return file.statements.some(({ node }) => readsFrom(node, table));
}

function readsFrom(node: PgNode, table: Table): boolean {
  const source = "InsertStmt" in node ? node.InsertStmt.selectStmt : "CreateTableAsStmt" in node ? node.CreateTableAsStmt.query : undefined;
  return tablesRead(source).some((read) => sameTable(read, table));
}
