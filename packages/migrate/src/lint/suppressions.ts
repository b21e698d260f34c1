// `-- migrate:allow <rule>[,<rule>…] <reason>`: silences one rule's findings on one statement, with
// the reason written beside it for the reviewer. The comment goes on the line(s) before the statement
// or on one of its lines. In a file's header (before its first statement) it also covers findings
// about the whole file (missing-down). A suppression without a reason silences nothing and is itself
// an error; one that silences nothing is a warning, so stale ones do not pile up.
import type { Finding } from "./finding.ts";
import { SUPPRESSION_WITHOUT_REASON, UNUSED_SUPPRESSION } from "./rules/index.ts";
import type { SqlFile } from "./sql-file.ts";

/** A finding inside the lint: `statement` is the index of the statement it is about, absent for the whole file. */
export type PlacedFinding = Finding & { statement?: number | undefined };

export interface Suppression {
  file: string;
  rules: string[];
  /** "" when the comment gives none. */
  reason: string;
  line: number;
  /** The statement it applies to (undefined: after the last statement). */
  statement: number | undefined;
  /** Before the file's first statement: also applies to findings about the whole file. */
  header: boolean;
}

const FORM = /^--\s*migrate:allow(?:\s+(\S+))?(?:\s+(.*))?$/i;

/** The suppression comments of a file, each tied to its statement. */
export function readSuppressions(file: SqlFile): Suppression[] {
  const suppressions: Suppression[] = [];
  const first = file.statements[0];
  for (const comment of file.comments) {
    const match = FORM.exec(comment.text);
    if (!match) continue;
    const on = file.statements.find((s) => s.line <= comment.line && comment.line <= s.endLine) ?? file.statements.find((s) => s.line > comment.line);
    suppressions.push({
      file: file.path,
      rules: (match[1] ?? "").split(",").filter(Boolean),
      reason: (match[2] ?? "").trim(),
      line: comment.line,
      statement: on?.index,
      header: first === undefined || comment.line < first.line,
    });
  }
  return suppressions;
}

/** The statement of `file` a finding on `line` is about (undefined when the line is outside every statement). */
export function statementAt(file: SqlFile, line: number): number | undefined {
  return file.statements.find((s) => s.line <= line && line <= s.endLine)?.index;
}

/**
 * Applies `suppressions` to `findings`: returns the findings that stay, those silenced (with the
 * reason), and the findings about the suppressions themselves (no reason, unused).
 */
export function applySuppressions(
  findings: readonly PlacedFinding[],
  suppressions: readonly Suppression[],
  knownRules: ReadonlySet<string>,
): { kept: PlacedFinding[]; suppressed: (PlacedFinding & { reason: string })[]; about: PlacedFinding[] } {
  const kept: PlacedFinding[] = [];
  const suppressed: (PlacedFinding & { reason: string })[] = [];
  const used = new Set<Suppression>();
  for (const finding of findings) {
    const by = suppressions.find(
      (s) =>
        s.reason !== "" &&
        s.file === finding.file &&
        s.rules.includes(finding.rule) &&
        (finding.statement === undefined ? s.header : s.statement === finding.statement),
    );
    if (by) {
      used.add(by);
      suppressed.push({ ...finding, reason: by.reason });
    } else {
      kept.push(finding);
    }
  }
  const about: PlacedFinding[] = [];
  for (const s of suppressions) {
    const base = { file: s.file, line: s.line, source: "migrator" as const, statement: s.statement };
    if (s.rules.length === 0 || s.reason === "") {
      about.push({
        ...base,
        rule: SUPPRESSION_WITHOUT_REASON.id,
        severity: SUPPRESSION_WITHOUT_REASON.severity,
        message: s.rules.length === 0 ? "`-- migrate:allow` names no rule: it suppresses nothing." : `\`-- migrate:allow ${s.rules.join(",")}\` gives no reason: it suppresses nothing until it says why the statement is safe.`,
        fix: `Write the rule and the reason: \`-- migrate:allow ${s.rules.join(",") || "<rule>"} <why this is safe here>\`.`,
      });
    } else if (!used.has(s)) {
      const unknown = s.rules.filter((rule) => !knownRules.has(rule));
      about.push({
        ...base,
        rule: UNUSED_SUPPRESSION.id,
        severity: UNUSED_SUPPRESSION.severity,
        message: unknown.length
          ? `\`-- migrate:allow\` names ${unknown.map((r) => `"${r}"`).join(", ")}, which no rule is called: it suppresses nothing.`
          : `\`-- migrate:allow ${s.rules.join(",")}\` suppresses nothing: ${s.statement === undefined ? "no statement follows it" : "no such finding on the statement it belongs to"}.`,
        fix: unknown.length ? "Use a rule id from `migrator lint`'s output or the README's rule list." : "Remove it, or move it to the line before the statement it is about.",
      });
    }
  }
  return { kept, suppressed, about };
}
