// Every migration should be reversible: `migrator down` refuses a migration without down.sql, and a
// down.sql without statements rolls nothing back while the history says it did.
import type { RuleInfo } from "./rule.ts";

export const missingDown: RuleInfo = {
  id: "missing-down",
  severity: "error",
  summary: "no down.sql, or one without a statement",
};

/** The finding for a migration whose down.sql is absent (`statements` undefined) or has no statement. */
export function checkDown(migration: string, statements: number | undefined): { message: string; fix: string } | undefined {
  if (statements !== undefined && statements > 0) return undefined;
  const why =
    statements === undefined
      ? `${migration} has no down.sql: \`migrator down\` refuses to roll it back, so a bad release cannot be undone.`
      : `${migration}'s down.sql has no statement: \`migrator down\` would mark it rolled back while its changes stay.`;
  return {
    message: why,
    fix: "Write the SQL that undoes migration.sql in down.sql (`pnpm db:migrate dev` generates it for new migrations) and test it: `pnpm db:down -1 && pnpm db:up`. If nothing can undo it, say why: `-- migrate:allow missing-down <reason>` at the top of the file.",
  };
}
