// The shape of this project's lint rules: each looks at one statement of migration.sql or down.sql,
// with the schema as the migrations built it up to that statement, and says what is unsafe there.
import type { Severity } from "../finding.ts";
import type { PrismaTables } from "../prisma-schema.ts";
import type { SchemaState } from "../schema-state.ts";
import type { LintStatement, SqlFile } from "../sql-file.ts";

export interface RuleContext {
  /** The migration folder's name. */
  migration: string;
  /** The file the statement is in. */
  file: SqlFile;
  /** The migration's migration.sql (also when `file` is its down.sql). */
  up: SqlFile;
  /** The schema just before the statement. */
  state: SchemaState;
  /** The Prisma schema of the last release, when the lint was given a git ref to read it from. */
  previousSchema?: { ref: string; tables: PrismaTables } | undefined;
}

/** What a rule reports for one statement; the lint adds the file, source and statement. */
export interface RuleHit {
  message: string;
  fix: string;
  /** Defaults to the rule's severity (a rule may report a lesser case as a warning). */
  severity?: Severity;
  /** Defaults to the statement's first line. */
  line?: number;
}

/** A rule as listed: its stable id, its severity, what it catches. */
export interface RuleInfo {
  id: string;
  severity: Severity;
  /** One line for the rule list. */
  summary: string;
}

export interface StatementRule extends RuleInfo {
  /** Which files it reads: migration.sql, down.sql or both. */
  files: "up" | "down" | "both";
  check(statement: LintStatement, context: RuleContext): RuleHit[];
}
