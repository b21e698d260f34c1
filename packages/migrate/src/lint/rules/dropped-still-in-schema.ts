// Expand/contract reminder: while a release deploys, the previous release's code keeps running
// against the database. A migration that drops a table or column that release's Prisma schema still
// has breaks it (its queries name the column) until the new code is everywhere.
import { alterTable, droppedTables, quote, tableText, type Table } from "../ast.ts";
import type { PrismaTable } from "../prisma-schema.ts";
import type { RuleContext, RuleHit, StatementRule } from "./rule.ts";

export const droppedStillInSchema: StatementRule = {
  id: "dropped-still-in-schema",
  severity: "error",
  files: "up",
  summary: "a dropped table or column that the last release's Prisma schema still has",
  check({ node }, context) {
    const { previousSchema, state } = context;
    if (!previousSchema) return [];
    const hits: RuleHit[] = [];
    for (const table of droppedTables(node)) {
      const model = modelOf(context, table);
      if (!model || state.isNew(table)) continue;
      hits.push({
        message: `Table ${tableText(table)} is dropped, but the Prisma schema at ${previousSchema.ref} still has it (model ${model.model}): the release running while this deploys still queries it, and fails once it is gone.`,
        fix: `Contract in two releases: first ship the code without model ${model.model} (remove it from schema.prisma with \`--create-only\` and delete this DROP from the migration), then drop the table in a migration of a later release.`,
      });
    }
    const alter = alterTable(node);
    if (alter && !state.isNew(alter.table)) {
      const model = modelOf(context, alter.table);
      for (const cmd of alter.cmds) {
        const field = cmd.subtype === "AT_DropColumn" && cmd.name ? model?.columns.get(cmd.name) : undefined;
        if (!model || !field || !cmd.name) continue;
        hits.push({
          message: `Column ${tableText(alter.table)}.${quote(cmd.name)} is dropped, but the Prisma schema at ${previousSchema.ref} still has it (${model.model}.${field}): the release running while this deploys still selects it, and its queries fail once it is gone.`,
          fix: `Contract in two releases: first ship the code without ${model.model}.${field} (keep the column: remove this DROP COLUMN from the migration), then drop the column in a migration of a later release.`,
        });
      }
    }
    return hits;
  },
};

function modelOf({ previousSchema }: RuleContext, table: Table): PrismaTable | undefined {
  return previousSchema?.tables.get(table.name);
}
