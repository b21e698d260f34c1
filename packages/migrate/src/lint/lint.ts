// The migration lint: replays the migrations folder through PostgreSQL's parser, runs this project's
// rules on the chosen migrations' migration.sql and down.sql, adds squawk's findings, then applies the
// `-- migrate:allow` suppressions. Reads files only: no database, no network.
import path from "node:path";
import type { AlterTableCmd } from "libpg-query";
import { UsageError } from "../errors.ts";
import { readLocalMigrations } from "../local/migration-folder.ts";
import { alterTable } from "./ast.ts";
import type { LintResult } from "./finding.ts";
import { readPrismaTables } from "./prisma-schema.ts";
import { MIGRATOR_RULES, STATEMENT_RULES, SYNTAX_ERROR } from "./rules/index.ts";
import { checkDown, missingDown } from "./rules/missing-down.ts";
import type { RuleContext } from "./rules/rule.ts";
import { SchemaState } from "./schema-state.ts";
import { parseSqlFile, type SqlFile } from "./sql-file.ts";
import { runSquawk, SQUAWK_RULES, squawkFix, squawkSeverity, type SquawkInput } from "./squawk.ts";
import { applySuppressions, readSuppressions, statementAt, type PlacedFinding, type Suppression } from "./suppressions.ts";

export interface LintOptions {
  /** The Prisma migrations folder. */
  migrationsDir: string;
  /** The migrations to check, by folder name; default every one. Earlier ones are still read, for column types. */
  names?: readonly string[] | undefined;
  /**
   * The last release's schema.prisma, for dropped-still-in-schema: where it came from (a git ref) and
   * its text (undefined when it did not exist there). Without it that rule is skipped, with a note.
   */
  previousSchema?: { ref: string; text: string | undefined } | undefined;
  /** Run squawk's rules too (default true). */
  squawk?: boolean | undefined;
  /** Give findings' paths relative to this folder (default: absolute). */
  cwd?: string | undefined;
}

interface Checked {
  file: SqlFile;
  absolute: string;
  /** Sort key: migration order, then up before down. */
  order: number;
}

/** Lints migrations (see LintOptions). Throws a UsageError for a name not in the folder. */
export async function lintMigrations(options: LintOptions): Promise<LintResult> {
  const migrationsDir = path.resolve(options.migrationsDir);
  const all = await readLocalMigrations(migrationsDir);
  const wanted = new Set(options.names ?? all.map((m) => m.name));
  const unknown = [...wanted].filter((name) => !all.some((m) => m.name === name));
  if (unknown.length) throw new UsageError("UNKNOWN_MIGRATION", `No migration folder named ${unknown.join(", ")} in ${migrationsDir}.`);
  const shown = (file: string) => (options.cwd ? path.relative(options.cwd, file) : file);
  const notes: string[] = [];
  const previousSchema = options.previousSchema?.text === undefined ? undefined : { ref: options.previousSchema.ref, tables: readPrismaTables(options.previousSchema.text) };
  if (!options.previousSchema) notes.push("dropped-still-in-schema skipped: no git ref to read the last release's schema.prisma from (use --since <ref>).");
  else if (!previousSchema) notes.push(`dropped-still-in-schema skipped: ${options.previousSchema.ref} has no schema.prisma.`);

  const findings: PlacedFinding[] = [];
  const checked: Checked[] = [];
  const state = new SchemaState();
  const migrations: string[] = [];
  for (const [position, migration] of all.entries()) {
    if (migrations.length === wanted.size) break; // later migrations cannot change what was checked
    const upPath = path.join(migration.dir, "migration.sql");
    const up = await parseSqlFile(migration.upSql, shown(upPath), "up");
    if (!wanted.has(migration.name)) {
      replay(up, state);
      continue;
    }
    migrations.push(migration.name);
    const downPath = path.join(migration.dir, "down.sql");
    const down = migration.downSql === undefined ? undefined : await parseSqlFile(migration.downSql, shown(downPath), "down");
    checked.push({ file: up, absolute: upPath, order: position * 2 });
    if (down) checked.push({ file: down, absolute: downPath, order: position * 2 + 1 });

    const context = { migration: migration.name, up, previousSchema };
    findings.push(...check(up, state, context)); // also moves `state` past the up script
    // down.sql runs on the schema the up script left; its changes are not kept.
    if (down) findings.push(...check(down, state.clone(), context));

    const missing = checkDown(migration.name, down?.invalid ? 1 : down?.statements.length);
    if (missing) findings.push({ rule: missingDown.id, severity: missingDown.severity, file: down ? down.path : up.path, line: 1, source: "migrator", ...missing });
  }

  if (options.squawk !== false) {
    const inputs: SquawkInput[] = checked.filter(({ file }) => !file.invalid).map(({ file, absolute }) => ({ path: absolute, role: file.role, transactional: file.transactional }));
    const squawk = await runSquawk(inputs, { cwd: migrationsDir });
    if (squawk.unavailable) notes.push(`squawk did not run, so only this project's rules were checked: ${squawk.unavailable}`);
    for (const { file, absolute } of checked) {
      for (const raw of squawk.findings.get(absolute) ?? []) {
        const line = raw.line + 1;
        const statement = statementAt(file, line);
        if (raw.rule_name === "constraint-missing-not-valid" && statement !== undefined && onlyAddsForeignKeys(file, statement)) continue; // foreign-key-not-valid decides
        const unreadable = raw.rule_name === "syntax-error";
        findings.push({
          rule: raw.rule_name,
          severity: unreadable ? "warning" : squawkSeverity(raw.rule_name),
          file: file.path,
          line,
          column: raw.column + 1,
          message: unreadable ? `squawk's own parser cannot read this (PostgreSQL's can), so squawk's rules did not check it: ${raw.message}` : raw.message,
          fix: unreadable ? "Nothing to fix in the SQL; review the statement by hand for locks." : squawkFix(raw.rule_name, raw.help),
          source: "squawk",
          statement,
        });
      }
    }
  }

  const suppressions: Suppression[] = checked.flatMap(({ file }) => readSuppressions(file));
  const known = new Set([...MIGRATOR_RULES.map((rule) => rule.id), ...SQUAWK_RULES]);
  const { kept, suppressed, about } = applySuppressions(findings, suppressions, known);
  const order = new Map(checked.map(({ file, order: key }) => [file.path, key]));
  const sort = <T extends PlacedFinding>(list: T[]) =>
    list.sort((a, b) => (order.get(a.file) ?? 0) - (order.get(b.file) ?? 0) || a.line - b.line || (a.column ?? 0) - (b.column ?? 0));
  const strip = <T extends PlacedFinding>({ statement: _statement, ...finding }: T) => finding;
  const reported = sort([...kept, ...about]).map(strip);
  return {
    migrations,
    findings: reported,
    suppressed: sort(suppressed).map(strip),
    notes,
    errors: reported.filter((f) => f.severity === "error").length,
    warnings: reported.filter((f) => f.severity === "warning").length,
  };
}

/** Runs the statement rules over one file, replaying it on `state` as it goes. */
function check(file: SqlFile, state: SchemaState, context: Omit<RuleContext, "file" | "state">): PlacedFinding[] {
  if (file.invalid) {
    const { message, line, column } = file.invalid;
    return [{ rule: SYNTAX_ERROR.id, severity: SYNTAX_ERROR.severity, file: file.path, line, ...(column ? { column } : {}), message: `The migrator refuses this file before running it: ${message}`, fix: "Fix the SQL (or the `-- migrate:` header line); `migrator plan` shows the same error.", source: "migrator" }];
  }
  const findings: PlacedFinding[] = [];
  const rules = STATEMENT_RULES.filter((rule) => rule.files === "both" || rule.files === file.role);
  state.startFile();
  for (const statement of file.statements) {
    for (const rule of rules) {
      for (const hit of rule.check(statement, { ...context, file, state })) {
        findings.push({ rule: rule.id, severity: hit.severity ?? rule.severity, file: file.path, line: hit.line ?? statement.line, message: hit.message, fix: hit.fix, source: "migrator", statement: statement.index });
      }
    }
    state.apply(statement);
  }
  return findings;
}

function replay(file: SqlFile, state: SchemaState): void {
  state.startFile();
  for (const statement of file.statements) state.apply(statement);
}

function onlyAddsForeignKeys(file: SqlFile, index: number): boolean {
  const node = file.statements[index]?.node;
  const cmds: AlterTableCmd[] = node ? (alterTable(node)?.cmds ?? []) : [];
  const added = cmds.filter((cmd) => cmd.subtype === "AT_AddConstraint");
  return added.length > 0 && added.every((cmd) => cmd.def !== undefined && "Constraint" in cmd.def && cmd.def.Constraint.contype === "CONSTR_FOREIGN");
}
