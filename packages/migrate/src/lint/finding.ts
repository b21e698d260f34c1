// What the migration lint reports: one finding per problem, with the rule that found it, where, why
// it matters and the safe alternative. Errors fail `migrator lint` (and CI); warnings inform.

export type Severity = "error" | "warning";

export interface Finding {
  /** A stable rule id: this project's (`index-not-concurrent`, …) or squawk's (`ban-drop-table`, …). */
  rule: string;
  severity: Severity;
  /** The SQL file, as given to the lint (relative to its `cwd` option when set). */
  file: string;
  /** 1-based line of the statement (or of the comment, for suppression findings). */
  line: number;
  /** 1-based column, when the source knows it. */
  column?: number;
  /** What was found and why it matters. */
  message: string;
  /** The safe alternative. */
  fix: string;
  source: "squawk" | "migrator";
}

export interface LintResult {
  /** The migrations checked, in apply order. */
  migrations: string[];
  /** Findings that were not suppressed, by file then line. */
  findings: Finding[];
  /** Findings silenced by a `-- migrate:allow` comment, with its reason (for reports that want them). */
  suppressed: (Finding & { reason: string })[];
  /** What the reader should know about the run itself: a rule skipped and why, squawk unavailable. */
  notes: string[];
  errors: number;
  warnings: number;
}

/** A finding before the file name and source are attached: what a rule returns. */
export type RuleFinding = Omit<Finding, "file" | "source" | "severity"> & { severity?: Severity };
