// The SQL analysis the migration engine needs, on PostgreSQL's real parser: statements and their
// transaction needs, header directives, and the errors a file can raise before it runs.
export { loadParser } from "./parser.ts";
export { classifyStatementsSync, splitStatements, splitStatementsSync, type Statement, type StatementClass } from "./split.ts";
export { summarize, type TransactionSummary } from "./summary.ts";
export { classify, TRANSACTION_RULES, type Classification, type TransactionRule } from "./classify.ts";
export { parseDirectives, type Directives } from "./directives.ts";
export { parseDuration, type Duration } from "./duration.ts";
export { ParserNotLoadedError, SqlDirectiveError, SqlSyntaxError } from "./errors.ts";
