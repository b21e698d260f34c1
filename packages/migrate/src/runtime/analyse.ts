// What a migration script is, before it runs: its statements (cut by PostgreSQL's own parser), which
// of them cannot run in a transaction, and its header directives. Syntax errors surface here, before
// anything touches the database.
import { MigrateError } from "../errors.ts";
import type { AnalysisCache } from "./analysis-cache.ts";
import {
  classifyStatementsSync,
  loadParser,
  parseDirectives,
  splitStatementsSync,
  SqlDirectiveError,
  SqlSyntaxError,
  type Statement as ParsedStatement,
  type StatementClass,
} from "../sql/index.ts";

export interface Statement extends ParsedStatement {
  /** A CREATE INDEX CONCURRENTLY: an interrupted build leaves an INVALID index to drop before retrying. */
  createsIndexConcurrently: boolean;
  indexName?: string | undefined;
  indexSchema?: string | undefined;
}

export interface ScriptAnalysis {
  /** Every statement's kind and transaction needs. */
  classes: StatementClass[];
  /**
   * The statements cut out of the file, for a script that runs statement by statement; empty for a
   * transactional one, which goes to the server whole (cutting costs a scanner pass per file).
   */
  statements: Statement[];
  /** Whether the whole script runs in one transaction (the default when every statement can). */
  transactional: boolean;
  nonTransactional: Statement[];
  directives: { lockTimeoutMs?: number | undefined; statementTimeoutMs?: number | undefined };
}

/**
 * Analyses `scripts` one by one in the background, yielding to I/O every few milliseconds, so the parsing
 * overlaps with waiting for the server (the engine takes the migration lock meanwhile). Returns each
 * script's analysis by name, to be awaited like analyseScript's (a bad file's promise rejects). Scripts
 * the `cache` holds are not parsed; when it holds them all, the parser is not even loaded.
 */
export function analyseAhead(scripts: { name: string; script: string; file: string }[], cache?: AnalysisCache): Map<string, Promise<ScriptAnalysis>> {
  const ahead = new Map<string, Promise<ScriptAnalysis>>();
  let previous: Promise<unknown> | undefined;
  let sliceStarted = 0;
  for (const { name, script, file } of scripts) {
    const cached = cache?.get(script);
    if (cached) {
      ahead.set(name, Promise.resolve(cached));
      continue;
    }
    previous ??= loadParser();
    const analysis = previous.then(async () => {
      // Parse in slices of a few milliseconds, then let waiting I/O callbacks run.
      if (performance.now() - sliceStarted > 4) {
        await new Promise((next) => setImmediate(next));
        sliceStarted = performance.now();
      }
      const fresh = await analyseUncached(script, file);
      cache?.set(script, fresh);
      return fresh;
    });
    analysis.catch(() => {}); // its awaiter gets the error; one never awaited must not crash the process
    ahead.set(name, analysis);
    previous = analysis.catch(() => {});
  }
  return ahead;
}

/**
 * Analyses `script` (`file` names it in errors), or takes the analysis from `cache`, which then keeps a
 * fresh one. Throws a MigrateError for bad SQL or directives (never cached).
 */
export async function analyseScript(script: string, file: string, cache?: AnalysisCache): Promise<ScriptAnalysis> {
  const cached = cache?.get(script);
  if (cached) return cached;
  const analysis = await analyseUncached(script, file);
  cache?.set(script, analysis);
  return analysis;
}

async function analyseUncached(script: string, file: string): Promise<ScriptAnalysis> {
  let classes: StatementClass[];
  let directives: ReturnType<typeof parseDirectives>;
  await loadParser();
  try {
    directives = parseDirectives(script);
    classes = classifyStatementsSync(script);
  } catch (error) {
    if (error instanceof SqlSyntaxError) {
      throw new MigrateError("SQL_SYNTAX", `${file}:${error.line}:${error.column}: ${error.parserMessage}\n  ${error.line} | ${error.lineText}`, "Fix the SQL; nothing was run.");
    }
    if (error instanceof SqlDirectiveError) throw new MigrateError("INVALID_DIRECTIVE", `${file}: ${error.message}`, "Fix the `-- migrate:` header line.");
    throw error;
  }
  const control = classes.findIndex((statement) => statement.kind === "TransactionStmt");
  const nonTransactionalCount = classes.filter((statement) => !statement.transactional).length;
  const transactional = directives.transaction ?? nonTransactionalCount === 0;
  const statements: Statement[] =
    control === -1 && transactional && directives.transaction !== true
      ? []
      : splitStatementsSync(script).map((statement: ParsedStatement) => ({
          ...statement,
          createsIndexConcurrently: statement.kind === "IndexStmt" && !statement.transactional,
        }));
  if (control !== -1) {
    const statement = statements[control] as Statement;
    throw new MigrateError(
      "TRANSACTION_CONTROL",
      `${file}:${statement.line}: the script controls transactions itself (${statement.sql.split(/\s+/)[0]?.toUpperCase()}).`,
      "Remove BEGIN/COMMIT: the migrator runs each migration in a transaction itself. For statements that cannot run in one, add `-- migrate: transaction=false` at the top.",
    );
  }
  const nonTransactional = statements.filter((statement) => !statement.transactional);
  if (directives.transaction === true && nonTransactional.length) {
    const first = nonTransactional[0] as Statement;
    throw new MigrateError("INVALID_DIRECTIVE", `${file}:${first.line}: transaction=true, but ${first.reason ?? "this statement cannot run in a transaction"}.`, "Remove the directive, or move the statement to a migration of its own.");
  }
  return {
    classes,
    statements,
    transactional,
    nonTransactional,
    directives: { lockTimeoutMs: directives.lockTimeout?.ms, statementTimeoutMs: directives.statementTimeout?.ms },
  };
}
