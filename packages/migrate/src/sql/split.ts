// Cuts a migration file into its statements with PostgreSQL's own grammar (so semicolons inside
// strings, comments and dollar-quoted bodies never split) and says which may share a transaction.
import type { Node as PgNode } from "libpg-query";
import { classify } from "./classify.ts";
import { LineMap } from "./line-map.ts";
import { loadParser, parseStatementKinds, parseStatements } from "./parser.ts";

/** One statement of a migration file. Offsets are JavaScript string (UTF-16) indices into the file. */
export interface Statement {
  /** Exact text of the statement, without comments before it or the terminating semicolon. */
  sql: string;
  /** 0-based offset of its first character in the file. */
  start: number;
  /** Offset just past its last character: `file.slice(start, end) === sql`. */
  end: number;
  /** 1-based line where the statement starts (after leading comments and blank lines). */
  line: number;
  /** The parse node type, e.g. `IndexStmt`, `VacuumStmt`, `TransactionStmt`. */
  kind: string;
  /** False when PostgreSQL refuses it inside a transaction block (or it is BEGIN/COMMIT/…). */
  transactional: boolean;
  /** Why not, when `transactional` is false: a sentence for the user. */
  reason?: string;
  /** A caveat for a statement that does run in a transaction, e.g. ALTER TYPE … ADD VALUE. */
  note?: string;
  /**
   * For CREATE INDEX: the index name as PostgreSQL stores it (unquoted names folded to lower case);
   * absent when the SQL lets PostgreSQL choose one. An interrupted CONCURRENTLY build leaves this
   * index INVALID, to drop before a retry.
   */
  indexName?: string;
  /** For CREATE INDEX: the schema the index goes in (its table's), when the SQL names one. */
  indexSchema?: string;
}

/**
 * Splits a migration file into statements and classifies each. A file of only comments gives [].
 * Throws SqlSyntaxError (code `SQL_SYNTAX`, with line and column) when the file does not parse,
 * so the engine can refuse it before touching the database. Loads the parser on first use.
 */
export async function splitStatements(sql: string): Promise<Statement[]> {
  await loadParser();
  return splitStatementsSync(sql);
}

/**
 * Synchronous splitStatements, for callers that ran `await loadParser()` once; throws
 * ParserNotLoadedError otherwise.
 */
export function splitStatementsSync(sql: string): Statement[] {
  const lines = new LineMap(sql);
  return parseStatements(sql).map(({ kind, node, start, end }) => ({
    sql: sql.slice(start, end),
    start,
    end,
    line: lines.lineOf(start),
    kind,
    ...classify(kind, node),
    ...indexTarget(node),
  }));
}

function indexTarget(node: PgNode): Pick<Statement, "indexName" | "indexSchema"> {
  if (!("IndexStmt" in node)) return {};
  const { idxname, relation } = node.IndexStmt;
  return {
    ...(idxname === undefined ? {} : { indexName: idxname }),
    ...(relation?.schemaname === undefined ? {} : { indexSchema: relation.schemaname }),
  };
}

/** A statement's kind and whether it can run in a transaction, without its text and position. */
export type StatementClass = Pick<Statement, "kind" | "transactional" | "reason" | "note">;

/**
 * Classifies every statement of `sql` with the parser alone (no scanner pass): enough to decide
 * whether a file can run as one transaction, at a fraction of splitStatements' cost. After
 * `await loadParser()`; throws SqlSyntaxError for bad SQL.
 */
export function classifyStatementsSync(sql: string): StatementClass[] {
  return parseStatementKinds(sql).map(({ kind, node }) => ({ kind, ...classify(kind, node) }));
}
