// A foreign key added to an existing table is checked against every row at once, under a SHARE ROW
// EXCLUSIVE lock on both tables: writes to either wait for the scan. NOT VALID skips the scan; a
// later VALIDATE CONSTRAINT checks the rows under a lock that lets reads and writes go on.
import type { Constraint } from "libpg-query";
import { alterTable, columnConstraints, columnDefOf, constraintOf, quote, tableOf, tableText, type Table } from "../ast.ts";
import type { RuleHit, StatementRule } from "./rule.ts";

export const foreignKeyNotValid: StatementRule = {
  id: "foreign-key-not-valid",
  severity: "error",
  files: "both",
  summary: "ADD CONSTRAINT … FOREIGN KEY on an existing table without NOT VALID",
  check({ node }, { state }) {
    const alter = alterTable(node);
    if (!alter || state.isNew(alter.table)) return [];
    const hits: RuleHit[] = [];
    for (const cmd of alter.cmds) {
      if (cmd.subtype === "AT_AddConstraint") {
        const constraint = constraintOf(cmd);
        if (constraint?.contype === "CONSTR_FOREIGN" && constraint.skip_validation !== true) hits.push(hit(alter.table, constraint));
      }
      if (cmd.subtype === "AT_AddColumn") {
        const column = columnDefOf(cmd);
        for (const constraint of column ? columnConstraints(column) : []) {
          if (constraint.contype === "CONSTR_FOREIGN") hits.push(hit(alter.table, constraint, column?.colname));
        }
      }
    }
    return hits;
  },
};

function hit(table: Table, constraint: Constraint, inlineColumn?: string): RuleHit {
  const referenced = tableOf(constraint.pktable);
  const target = referenced ? tableText(referenced) : "the referenced table";
  const name = constraint.conname ? `${quote(constraint.conname)} ` : "";
  return {
    message: `The foreign key ${name}is checked against every existing row of ${tableText(table)} while a SHARE ROW EXCLUSIVE lock on ${tableText(table)} and ${target} blocks writes to both.`,
    fix: inlineColumn
      ? `Add the column without REFERENCES, then \`ALTER TABLE ${tableText(table)} ADD CONSTRAINT … FOREIGN KEY (${quote(inlineColumn)}) REFERENCES ${target} (…) NOT VALID;\`, and \`VALIDATE CONSTRAINT\` it in a later migration.`
      : `Add it with NOT VALID (no scan, new rows are checked), then \`ALTER TABLE ${tableText(table)} VALIDATE CONSTRAINT ${constraint.conname ? quote(constraint.conname) : "…"};\` in a later migration: VALIDATE takes a SHARE UPDATE EXCLUSIVE lock, so reads and writes go on.`,
  };
}
