// NOT NULL on an existing table: `ADD COLUMN … NOT NULL` without a DEFAULT fails as soon as the table
// has a row; `ALTER COLUMN … SET NOT NULL` scans every row under an ACCESS EXCLUSIVE lock (reads and
// writes wait) and fails on the first NULL. The safe form proves the column non-null first with a
// validated `CHECK (col IS NOT NULL)`, which PostgreSQL 12+ trusts instead of scanning.
import type { ColumnDef } from "libpg-query";
import { alterTable, columnConstraints, columnDefOf, quote, tableText, type Table } from "../ast.ts";
import type { RuleHit, StatementRule } from "./rule.ts";

// serial types come with a DEFAULT nextval(…): every existing row gets a value.
const SERIAL_TYPES = new Set(["serial", "serial4", "bigserial", "serial8", "smallserial", "serial2"]);

export const notNullWithoutBackfill: StatementRule = {
  id: "not-null-without-backfill",
  severity: "error",
  files: "both",
  summary: "SET NOT NULL on an existing column, or ADD COLUMN … NOT NULL without DEFAULT on an existing table",
  check({ node }, { state }) {
    const alter = alterTable(node);
    if (!alter || state.isNew(alter.table)) return [];
    const { table } = alter;
    const hits: RuleHit[] = [];
    for (const cmd of alter.cmds) {
      if (cmd.subtype === "AT_AddColumn") {
        const column = columnDefOf(cmd);
        if (column?.colname && requiredWithoutValue(column)) {
          hits.push({
            message: `ADD COLUMN ${quote(column.colname)} is NOT NULL without a DEFAULT: it fails as soon as ${tableText(table)} has a row (and Prisma cannot fill it).`,
            fix: `Give it a DEFAULT (a constant default is stored once, no rewrite since PostgreSQL 11), or add it nullable, backfill it (\`pnpm db:data new\`), then make it NOT NULL with a validated CHECK (${setNotNullSteps(table, column.colname)}).`,
          });
        }
      }
      if (cmd.subtype === "AT_SetNotNull" && cmd.name && !state.hasValidNotNullCheck(table, cmd.name)) {
        const backfill = state.backfillLine(table, cmd.name);
        hits.push(
          backfill === undefined
            ? {
                message: `SET NOT NULL on ${tableText(table)}.${quote(cmd.name)} scans every row under an ACCESS EXCLUSIVE lock (reads and writes wait) and fails on the first NULL: nothing in this migration backfills the column.`,
                fix: `Backfill first (an UPDATE in batches, or a data migration: \`pnpm db:data new\`), then ${setNotNullSteps(table, cmd.name)}.`,
              }
            : {
                severity: "warning",
                message: `SET NOT NULL on ${tableText(table)}.${quote(cmd.name)} follows the backfill on line ${backfill}, but still scans every row under an ACCESS EXCLUSIVE lock (reads and writes wait).`,
                fix: `Prove the column non-null without the lock: ${setNotNullSteps(table, cmd.name)}.`,
              },
        );
      }
    }
    return hits;
  },
};

function requiredWithoutValue(column: ColumnDef): boolean {
  const constraints = columnConstraints(column);
  const required = column.is_not_null === true || constraints.some((c) => c.contype === "CONSTR_NOTNULL" || c.contype === "CONSTR_PRIMARY");
  if (!required) return false;
  const filled = constraints.some((c) => c.contype === "CONSTR_DEFAULT" || c.contype === "CONSTR_IDENTITY" || c.contype === "CONSTR_GENERATED");
  const typeNames = (column.typeName?.names ?? []).flatMap((n) => ("String" in n && n.String.sval ? [n.String.sval] : []));
  const serial = typeNames.length === 1 && SERIAL_TYPES.has(typeNames[0] as string);
  return !filled && !serial && column.raw_default === undefined;
}

function setNotNullSteps(table: Table, column: string): string {
  const check = quote(`${table.name}_${column}_not_null`);
  const t = tableText(table);
  return `\`ALTER TABLE ${t} ADD CONSTRAINT ${check} CHECK (${quote(column)} IS NOT NULL) NOT VALID;\`, \`ALTER TABLE ${t} VALIDATE CONSTRAINT ${check};\`, \`ALTER TABLE ${t} ALTER COLUMN ${quote(column)} SET NOT NULL;\`, \`ALTER TABLE ${t} DROP CONSTRAINT ${check};\` with \`-- migrate: transaction=false\` so each step commits on its own`;
}
