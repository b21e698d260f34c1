// The one door to libpg-query, PostgreSQL's own parser compiled to WebAssembly. It hides the
// library's quirks: an asynchronous start, UTF-8 byte offsets, and errors without line numbers.
import { createRequire } from "node:module";
import type { Node as PgNode, RawStmt } from "libpg-query";
import { dynamicImport } from "../runtime/dynamic-import.ts";
import { ParserNotLoadedError, SqlSyntaxError } from "./errors.ts";
import { LineMap } from "./line-map.ts";
import { codePointOffset, utf8OffsetMap } from "./offsets.ts";

type Library = typeof import("libpg-query");

// Loaded on first use, not at module load: instantiating the WebAssembly takes tens of milliseconds,
// which code that imports the engine only to read migration status (the API's readiness check) skips.
let library: Library | undefined;
let loading: Promise<void> | undefined;

/**
 * Loads the parser (once; later calls return at once). Needed before the synchronous functions,
 * e.g. `splitStatementsSync`; the asynchronous ones call it themselves.
 */
export function loadParser(): Promise<void> {
  loading ??= (async () => {
    // Compile the parser's WebAssembly with V8's baseline compiler only (Liftoff). By default V8
    // also recompiles its hot functions with TurboFan in the background, which for this parser (one
    // huge grammar function) costs ~30 MB of memory and more CPU than a migration run's parsing
    // ever wins back (measured: 200 scripts parse in ~25 ms instead of ~90–170 ms, peak RSS −30 MB).
    // V8 fixes a module's tiering when it compiles it, so the flag is set only around this module's
    // compile; WebAssembly compiled later (the Prisma client's) keeps V8's default.
    const v8 = await dynamicImport<typeof import("node:v8")>("node:v8");
    v8.setFlagsFromString("--liftoff-only");
    try {
      // require(), not import(): the package is CommonJS, and import() would first scan its source
      // for named exports (~7 ms). A plain `require` call would be bundled; this one is resolved at
      // run time from this module's location, like the import it replaces.
      const load = createRequire(import.meta.url);
      const required = load("libpg-query") as Library;
      await required.loadModule();
      library = required;
    } finally {
      v8.setFlagsFromString("--no-liftoff-only");
    }
  })().catch((error: unknown) => {
    loading = undefined; // let a later call try again
    throw error;
  });
  return loading;
}

/** One statement as the parser found it, with UTF-16 offsets trimmed to its first and last token. */
export interface ParsedStatement {
  /** The parse node type, e.g. `IndexStmt`. */
  kind: string;
  node: PgNode;
  /** 0-based UTF-16 index of the statement's first token. */
  start: number;
  /** UTF-16 index just past its last token (the terminating `;` excluded). */
  end: number;
}

/**
 * Parses a whole file into its statements. Throws SqlSyntaxError for invalid SQL. Requires
 * `loadParser()` to have completed.
 */
/**
 * The statements' kinds and parse nodes only, without cutting their exact text: the parser alone,
 * no scanner pass, which is most of the cost on large files. Throws SqlSyntaxError like
 * parseStatements.
 */
export function parseStatementKinds(sql: string): { kind: string; node: PgNode }[] {
  const pg = loaded("parseStatementKinds");
  const lines = new LineMap(sql);
  const nul = sql.indexOf("\0");
  if (nul !== -1) throw syntaxError("unexpected NUL character (\\0) in the SQL text", nul, lines);
  const text = sql.startsWith("\uFEFF") ? ` ${sql.slice(1)}` : sql;
  if (text === "") return [];
  try {
    return (pg.parseSync(text).stmts ?? []).filter((raw) => raw.stmt).map((raw) => ({ kind: Object.keys(raw.stmt as PgNode)[0] as string, node: raw.stmt as PgNode }));
  } catch (error) {
    if (!pg.hasSqlDetails(error)) throw error;
    let position = codePointOffset(text, error.sqlDetails?.cursorPosition ?? 0);
    position = Math.min(position, text.trimEnd().length);
    throw syntaxError(error.sqlDetails?.message ?? error.message, position, lines);
  }
}

export function parseStatements(sql: string): ParsedStatement[] {
  const pg = loaded("parseStatements");
  const lines = new LineMap(sql);
  const nul = sql.indexOf("\0");
  // The parser reads a C string: it would silently stop at a NUL and drop the rest of the file.
  if (nul !== -1) throw syntaxError("unexpected NUL character (\\0) in the SQL text", nul, lines);
  // PostgreSQL does not accept a byte order mark, which some editors write; a space has the same
  // UTF-16 length, so offsets into the parsed text are offsets into the caller's text.
  const text = sql.startsWith("\uFEFF") ? ` ${sql.slice(1)}` : sql;
  if (text === "") return []; // the library refuses an empty string (blank text parses to nothing)

  let raw: RawStmt[];
  try {
    raw = pg.parseSync(text).stmts ?? [];
  } catch (error) {
    if (!pg.hasSqlDetails(error)) throw error;
    // The cursor counts code points from 0 (the library already made it 0-based).
    let position = codePointOffset(text, error.sqlDetails?.cursorPosition ?? 0);
    // "at end of input" points past trailing blank lines; show the last line that has text instead.
    position = Math.min(position, text.trimEnd().length);
    throw syntaxError(error.sqlDetails?.message ?? error.message, position, lines);
  }
  if (raw.length === 0) return [];

  const toIndex = utf8OffsetMap(text);
  // Statement ranges from the grammar (only it knows where `BEGIN ATOMIC … END` or a rule's
  // `( …; … )` ends) include comments before the `;`; the scanner's tokens trim them off.
  const tokens = (pg.scanSync(text).tokens ?? []).filter((token) => !COMMENT_TOKENS.has(token.tokenName));
  const statements: ParsedStatement[] = [];
  let next = 0;
  for (const { stmt, stmt_location: location = 0, stmt_len: length = 0 } of raw) {
    if (!stmt) continue;
    // A length of 0 means "to the end of the text" (the last statement, without a semicolon).
    const rangeEnd = length === 0 ? Number.POSITIVE_INFINITY : location + length;
    while (next < tokens.length && (tokens[next]?.start as number) < location) next++;
    const first = tokens[next];
    while (next < tokens.length && (tokens[next]?.end as number) <= rangeEnd) next++;
    const last = tokens[next - 1];
    if (!first || !last || last.end <= first.start) continue;
    statements.push({
      kind: Object.keys(stmt)[0] as string,
      node: stmt,
      start: toIndex(first.start),
      end: toIndex(last.end),
    });
  }
  return statements;
}

/**
 * The keywords in `text` (upper-cased), read by PostgreSQL's scanner, so words inside string
 * literals, quoted identifiers and comments do not count. Returns [] for text it cannot scan.
 * Requires `loadParser()` to have completed.
 */
export function keywordsIn(text: string): string[] {
  const pg = loaded("keywordsIn");
  try {
    return (pg.scanSync(text).tokens ?? [])
      .filter((token) => token.keywordName !== "NO_KEYWORD")
      .map((token) => token.text.toUpperCase());
  } catch {
    // The library reports scanner errors as a JSON.parse failure; nothing useful to add.
    return [];
  }
}

const COMMENT_TOKENS = new Set(["SQL_COMMENT", "C_COMMENT"]);

function loaded(what: string): Library {
  if (!library) throw new ParserNotLoadedError(what);
  return library;
}

function syntaxError(message: string, position: number, lines: LineMap): SqlSyntaxError {
  const line = lines.lineOf(position);
  return new SqlSyntaxError(message, position, line, lines.columnOf(position), lines.lineText(line));
}
