// The migration lint's public face: lint a migrations folder, the finding shape, the rule list, and
// the git helpers the CLI uses to pick migrations and the last release's schema.
export type { Finding, LintResult, Severity } from "./finding.ts";
export { fileAtRef, migrationsChangedSince } from "./git.ts";
export { lintMigrations, type LintOptions } from "./lint.ts";
export { MIGRATOR_RULES, type RuleInfo } from "./rules/index.ts";
export { selectForLint, type LintSelection } from "./select.ts";
export { SQUAWK_ERRORS, SQUAWK_NOT_APPLICABLE, SQUAWK_NOT_FOR_DOWN, SQUAWK_REPLACED, squawkBinary } from "./squawk.ts";
