// ALTER COLUMN … TYPE that PostgreSQL cannot do in the catalog rewrites the whole table and rebuilds
// its indexes under an ACCESS EXCLUSIVE lock: no reads, no writes until it is done. The old type comes
// from replaying the earlier migrations; widening a varchar or changing it to text is free, int → bigint
// is not.
import type { Node as PgNode } from "libpg-query";
import { alterTable, columnDefOf, columnTypeOf, names, quote, tableText, typeText } from "../ast.ts";
import type { RuleHit, StatementRule } from "./rule.ts";
import { rewritesTable } from "./type-rewrite.ts";

export const rewritingTypeChange: StatementRule = {
  id: "rewriting-type-change",
  severity: "error",
  files: "both",
  summary: "ALTER COLUMN … TYPE that rewrites an existing table",
  check({ node }, { state }) {
    const alter = alterTable(node);
    if (!alter || state.isNew(alter.table)) return [];
    const { table } = alter;
    const hits: RuleHit[] = [];
    for (const cmd of alter.cmds) {
      if (cmd.subtype !== "AT_AlterColumnType" || !cmd.name) continue;
      const definition = columnDefOf(cmd);
      const to = columnTypeOf(definition?.typeName);
      if (!to) continue;
      const from = state.columnType(table, cmd.name);
      const column = `${tableText(table)}.${quote(cmd.name)}`;
      const fix = `Expand and contract instead: add a column of the new type, backfill it in batches (\`pnpm db:data new\`), switch the application to it, then drop the old column in a later release. Only some changes are free: varchar(n) → varchar(m ≥ n) or text, numeric(p,s) → numeric(q ≥ p,s), a higher timestamp precision.`;
      if (!from) {
        hits.push({
          severity: "warning",
          message: `Cannot tell whether changing ${column} to ${typeText(to)} rewrites the table: the earlier migrations never declare the column's type. Most type changes rewrite the table under an ACCESS EXCLUSIVE lock.`,
          fix,
        });
        continue;
      }
      const using = transforms(definition?.raw_default, cmd.name);
      if (rewritesTable(from, to, using)) {
        hits.push({
          message: `Changing ${column} from ${typeText(from)} to ${typeText(to)}${using ? " with a USING expression" : ""} rewrites the whole table and rebuilds its indexes under an ACCESS EXCLUSIVE lock: reads and writes wait until it finishes.`,
          fix,
        });
      }
    }
    return hits;
  },
};

/** Whether USING computes something other than the column itself (possibly cast): then PostgreSQL rewrites. */
function transforms(using: PgNode | undefined, column: string): boolean {
  let expr = using;
  if (expr && "TypeCast" in expr) expr = expr.TypeCast.arg;
  if (!expr) return false;
  if (!("ColumnRef" in expr)) return true;
  const fields = names(expr.ColumnRef.fields);
  return fields[fields.length - 1] !== column;
}
