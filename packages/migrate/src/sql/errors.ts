// What can go wrong while reading a migration's SQL, before anything touches a database: the file
// does not parse, a header directive is malformed, or the parser was used before it was loaded.
import { MigrateError } from "../errors.ts";

/**
 * The file is not valid PostgreSQL. `line` and `column` are 1-based (column in characters, as
 * PostgreSQL counts them), so the CLI can print `migration.sql:12:5: syntax error at or near …`.
 */
export class SqlSyntaxError extends MigrateError {
  override readonly name = "SqlSyntaxError";
  constructor(
    /** PostgreSQL's own message, e.g. `syntax error at or near "SELEC"`. */
    readonly parserMessage: string,
    /** 0-based UTF-16 offset of the error in the file (a JavaScript string index). */
    readonly position: number,
    readonly line: number,
    readonly column: number,
    /** The text of the offending line, without its line break. */
    readonly lineText: string,
  ) {
    super("SQL_SYNTAX", `${parserMessage} (line ${line}, column ${column})`);
  }
}

/** A `-- migrate: key=value` header line names an unknown key or holds a value out of form. */
export class SqlDirectiveError extends MigrateError {
  override readonly name = "SqlDirectiveError";
  constructor(
    /** 1-based line of the directive comment. */
    readonly line: number,
    readonly key: string,
    /** The value as written; undefined when the problem is the key or the shape of the line. */
    readonly value: string | undefined,
    /** The forms that would have been accepted, for the reader. */
    readonly accepted: string,
    problem: string,
  ) {
    super("INVALID_DIRECTIVE", `Line ${line}: ${problem}.`, `Accepted: ${accepted}.`);
  }
}

/** A synchronous parser function was called before `await loadParser()`: a bug in the caller. */
export class ParserNotLoadedError extends MigrateError {
  override readonly name = "ParserNotLoadedError";
  constructor(what: string) {
    super(
      "SQL_PARSER_NOT_LOADED",
      `${what} needs the SQL parser, which loads asynchronously.`,
      "Call `await loadParser()` once before using the synchronous functions, or use the async ones.",
    );
  }
}
