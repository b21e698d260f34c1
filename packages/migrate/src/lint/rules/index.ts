// This project's lint rules, in the order they report, and the ones the lint itself raises.
import { downDropsDerivedData } from "./down-drops-derived-data.ts";
import { droppedStillInSchema } from "./dropped-still-in-schema.ts";
import { foreignKeyNotValid } from "./foreign-key-not-valid.ts";
import { indexNotConcurrent } from "./index-not-concurrent.ts";
import { likelyRename } from "./likely-rename.ts";
import { missingDown } from "./missing-down.ts";
import { notNullWithoutBackfill } from "./not-null-without-backfill.ts";
import { rewritingTypeChange } from "./rewriting-type-change.ts";
import type { RuleInfo, StatementRule } from "./rule.ts";

export type { RuleInfo, StatementRule };

export const STATEMENT_RULES: readonly StatementRule[] = [
  likelyRename,
  notNullWithoutBackfill,
  foreignKeyNotValid,
  indexNotConcurrent,
  rewritingTypeChange,
  droppedStillInSchema,
  downDropsDerivedData,
];

export const SYNTAX_ERROR: RuleInfo = { id: "syntax-error", severity: "error", summary: "a file the migrator would refuse before running it: SQL PostgreSQL cannot parse, or a bad `-- migrate:` header" };
export const SUPPRESSION_WITHOUT_REASON: RuleInfo = { id: "suppression-without-reason", severity: "error", summary: "a `-- migrate:allow <rule>` comment without a reason (it suppresses nothing)" };
export const UNUSED_SUPPRESSION: RuleInfo = { id: "unused-suppression", severity: "warning", summary: "a `-- migrate:allow` comment that suppresses no finding" };

/** Every rule this project reports (squawk's come on top), for listings and documentation. */
export const MIGRATOR_RULES: readonly RuleInfo[] = [
  ...STATEMENT_RULES.map(({ id, severity, summary }) => ({ id, severity, summary })),
  missingDown,
  SYNTAX_ERROR,
  SUPPRESSION_WITHOUT_REASON,
  UNUSED_SUPPRESSION,
];
