// One SQL file as the lint sees it: its statements with their parse trees and lines, its `--`
// comments (where suppressions live), and whether the migrator will run it as one transaction.
// Everything comes from PostgreSQL's own parser and scanner (libpg-query), never from patterns.
import type { Node as PgNode } from "libpg-query";
import { classify } from "../sql/classify.ts";
import { parseDirectives } from "../sql/directives.ts";
import { SqlDirectiveError, SqlSyntaxError } from "../sql/errors.ts";
import { LineMap } from "../sql/line-map.ts";
import { utf8OffsetMap } from "../sql/offsets.ts";
import { loadParser, parseStatements } from "../sql/parser.ts";
import { dynamicImport } from "../runtime/dynamic-import.ts";

export interface LintStatement {
  /** Position in the file, from 0. */
  index: number;
  /** The parse node type, e.g. `AlterTableStmt`. */
  kind: string;
  node: PgNode;
  /** 1-based lines of its first and last token. */
  line: number;
  endLine: number;
}

export interface LineComment {
  /** The comment as written, from `--` to the end of the line. */
  text: string;
  line: number;
  /** UTF-16 offset of its `--`. */
  start: number;
}

export interface SqlFile {
  /** The path findings name. */
  path: string;
  /** migration.sql (`up`) or down.sql (`down`). */
  role: "up" | "down";
  statements: LintStatement[];
  comments: LineComment[];
  /** Why the migrator would refuse the file before running it (bad SQL, bad header); rules skip it. */
  invalid?: { message: string; line: number; column?: number | undefined } | undefined;
  /** Whether the migrator runs it as one transaction (its header and its statements decide). */
  transactional: boolean;
}

/** Parses `text` for the lint. Never throws for bad SQL: the file comes back `invalid`. */
export async function parseSqlFile(text: string, path: string, role: SqlFile["role"]): Promise<SqlFile> {
  await loadParser();
  const lines = new LineMap(text);
  const comments = await lineComments(text, lines);
  let parsed: ReturnType<typeof parseStatements>;
  try {
    parsed = parseStatements(text);
  } catch (error) {
    if (!(error instanceof SqlSyntaxError)) throw error;
    return { path, role, statements: [], comments, transactional: true, invalid: { message: error.parserMessage, line: error.line, column: error.column } };
  }
  const statements = parsed.map(({ kind, node, start, end }, index) => ({ index, kind, node, line: lines.lineOf(start), endLine: lines.lineOf(Math.max(start, end - 1)) }));
  let transaction: boolean | undefined;
  try {
    transaction = parseDirectives(text).transaction;
  } catch (error) {
    if (!(error instanceof SqlDirectiveError)) throw error;
    return { path, role, statements, comments, transactional: true, invalid: { message: error.message, line: error.line } };
  }
  const transactional = transaction ?? statements.every((statement) => classify(statement.kind, statement.node).transactional);
  return { path, role, statements, comments, transactional };
}

// The scanner tells comments from `--` inside strings, quoted identifiers and dollar-quoted bodies.
async function lineComments(text: string, lines: LineMap): Promise<LineComment[]> {
  const pg = await dynamicImport<typeof import("libpg-query")>("libpg-query");
  const source = text.startsWith("\uFEFF") ? ` ${text.slice(1)}` : text;
  if (source.trim() === "") return [];
  let tokens: { start: number; end: number; tokenName: string }[];
  try {
    tokens = pg.scanSync(source).tokens ?? [];
  } catch {
    return []; // text the scanner cannot read (an unterminated quote) also fails to parse: reported there
  }
  const toIndex = utf8OffsetMap(source);
  return tokens
    .filter((token) => token.tokenName === "SQL_COMMENT")
    .map((token) => {
      const start = toIndex(token.start);
      return { text: text.slice(start, toIndex(token.end)).trimEnd(), line: lines.lineOf(start), start };
    });
}
