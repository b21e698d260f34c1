// Renders the engine's results for people and for pipelines. The engine returns values; only this
// file decides how they look.
import { MigrateError, renderStep, type HistoryEntry, type LintResult, type Plan, type RunResult, type Status } from "@repo/migrate";
import { formatBytes, formatDuration, formatTime, table, type Output } from "./terminal.ts";

const stateStyle = { applied: "green", pending: "yellow", failed: "red", edited: "red", missing: "red", running: "cyan", interrupted: "yellow" } as const;

export function renderStatus(out: Output, status: Status, database: string): void {
  const appliedAt = (entry: Status["timeline"][number]) => (entry.kind === "schema" ? entry.schema.record?.finishedAt : entry.data.record?.finishedAt) ?? null;
  const duration = (entry: Status["timeline"][number]) => {
    const record = entry.kind === "schema" ? entry.schema.record : entry.data.record;
    return record?.finishedAt ? record.finishedAt.getTime() - record.startedAt.getTime() : null;
  };
  if (out.json) {
    out.event({
      database,
      current: status.current,
      atHead: status.atHead,
      migrations: status.timeline.map((entry) => ({
        name: entry.name,
        kind: entry.kind,
        state: entry.state,
        appliedAt: appliedAt(entry)?.toISOString() ?? null,
        durationMs: duration(entry),
        reversible: entry.reversible,
        ...(entry.kind === "data" ? { anchor: entry.data.anchor, progress: entry.data.progress ?? null, lastError: entry.data.record?.lastError ?? null } : {}),
      })),
    });
    return;
  }
  out.line(`Database  ${database}`);
  out.line(`Current   ${status.current ?? "(nothing applied)"}`);
  out.line();
  if (!status.timeline.length) {
    out.line("  No migrations in the folder.");
  } else {
    const rows = [["STATE", "KIND", "MIGRATION", "APPLIED AT (UTC)", "DURATION", "DOWN"].map((h) => out.paint("dim", h))];
    for (const entry of status.timeline) {
      const progress = entry.kind === "data" && entry.data.progress && entry.state !== "applied" ? ` ${entry.data.progress.rowsDone}/${entry.data.progress.rowsEstimate ?? "?"} rows` : "";
      rows.push([
        out.paint(stateStyle[entry.state], entry.state),
        entry.kind,
        entry.name + out.paint("dim", progress),
        formatTime(appliedAt(entry)),
        formatDuration(duration(entry)),
        entry.state === "missing" ? "" : entry.reversible ? "yes" : "no",
      ]);
    }
    for (const row of table(rows)) out.line(row);
  }
  out.line();
  const counts = (["applied", "pending", "running", "interrupted", "failed", "edited", "missing"] as const)
    .map((state) => [state, status.timeline.filter((m) => m.state === state).length] as const)
    .filter(([, n]) => n > 0)
    .map(([state, n]) => `${n} ${state}`);
  out.line(`${counts.join(", ") || "0 migrations"}.${status.atHead ? " At head." : ""}`);
  if ((status.pending.length || status.resumable.length) && !status.failed.length && !status.edited.length && !status.missing.length) out.line("Apply them with `pnpm db:deploy` (or `migrator deploy`).");
  if (status.failed.length) out.line(`Failed: ${status.failed.join(", ")}. A schema migration needs \`migrator resolve\` unless it failed in a transaction; a data migration resumes on the next deploy once fixed.`);
  for (const entry of status.timeline) {
    if (entry.kind === "data" && entry.data.record?.lastError && entry.state === "failed") out.line(out.paint("red", `  ${entry.name}: ${entry.data.record.lastError.split("\n")[0]}`));
  }
  if (status.edited.length) out.line("Edited migrations must be restored as applied; put changes in a new migration.");
  if (status.missing.length) out.line("Migrations missing locally: this release is older than the database.");
}

export function renderHistory(out: Output, entries: HistoryEntry[]): void {
  if (out.json) {
    for (const entry of entries) {
      out.event({ ...entry, startedAt: entry.startedAt.toISOString(), finishedAt: entry.finishedAt?.toISOString() ?? null, rolledBackAt: entry.rolledBackAt?.toISOString() ?? null });
    }
    return;
  }
  if (!entries.length) {
    out.line("No migration has run on this database.");
    return;
  }
  const style = { applied: "green", "rolled back": "yellow", failed: "red", running: "cyan" } as const;
  const rows = [["STARTED (UTC)", "OUTCOME", "KIND", "MIGRATION", "DURATION", "ROLLED BACK (UTC)"].map((h) => out.paint("dim", h))];
  for (const e of entries) rows.push([formatTime(e.startedAt), out.paint(style[e.outcome], e.outcome), e.kind, e.name, formatDuration(e.durationMs), formatTime(e.rolledBackAt)]);
  for (const row of table(rows)) out.line(row);
}

export function renderPlan(out: Output, plan: Plan): void {
  if (out.json) {
    for (const step of plan.steps) {
      out.event({ direction: step.direction, kind: step.kind, name: step.name, mode: (step.kind === "schema" ? step.analysis.transactional : step.transactional) ? "transaction" : "statements", sql: renderStep(step) });
    }
    return;
  }
  if (!plan.steps.length) {
    out.line(`-- Nothing to ${plan.direction === "up" ? "apply" : "roll back"}.`);
    return;
  }
  out.line(`-- ${plan.steps.length} migration${plan.steps.length > 1 ? "s" : ""} ${plan.direction === "up" ? "to apply" : "to roll back"}; the SQL below is exactly what would run.`);
  for (const step of plan.steps) {
    out.line();
    out.line(renderStep(step));
  }
}

export function renderRun(out: Output, result: RunResult): void {
  const verb = result.plan.direction === "up" ? "applied" : "rolled back";
  if (out.json) {
    for (const step of result.steps) {
      out.event({
        name: step.name, kind: step.kind, direction: step.direction, outcome: step.outcome, durationMs: step.durationMs, retries: step.retries, mode: step.mode,
        ...(step.error ? { error: { code: step.error.code, sqlState: step.error.sqlState, message: step.error.message, hint: step.error.hint } } : {}),
      });
    }
    const backup = result.backup ? { backup: { file: result.backup.file, bytes: result.backup.bytes, durationMs: result.backup.durationMs } } : {};
    out.event({ summary: true, ok: result.ok, planned: result.plan.steps.length, done: result.steps.filter((s) => s.outcome === "applied").length, cleared: result.cleared, ...backup });
    return;
  }
  if (!result.plan.steps.length) {
    out.line(result.plan.direction === "up" ? "Nothing to apply: the database is at the target." : "Nothing to roll back.");
    return;
  }
  if (result.backup) out.line(`Backup  ${result.backup.file} (${formatBytes(result.backup.bytes)}, ${formatDuration(result.backup.durationMs)})`);
  for (const step of result.steps) {
    const mark = step.outcome === "applied" ? out.paint("green", "✔") : out.paint("red", "✖");
    const retries = step.retries ? out.paint("yellow", ` (${step.retries} ${step.retries === 1 ? "retry" : "retries"})`) : "";
    out.line(`${mark} ${step.outcome === "applied" ? verb : "failed"}  ${step.kind === "data" ? "data " : ""}${step.name}  ${out.paint("dim", formatDuration(step.durationMs))}${retries}`);
    if (step.error) renderError(out, step.error);
  }
  const skipped = result.plan.steps.slice(result.steps.length);
  for (const step of skipped) out.line(`${out.paint("dim", "·")} skipped  ${step.name}`);
  out.line();
  const done = result.steps.filter((s) => s.outcome === "applied").length;
  out.line(result.ok ? `${done} migration${done === 1 ? "" : "s"} ${verb}.` : `Stopped: ${done} of ${result.plan.steps.length} ${verb}.`);
}

/** An error for people (stderr) or pipelines (a JSON line on stdout). */
export function renderError(out: Output, error: unknown): void {
  const e = error instanceof MigrateError ? error : undefined;
  const message = error instanceof Error ? error.message : String(error);
  if (out.json) {
    out.event({ error: { code: e?.code ?? "INTERNAL", message, ...(e?.hint ? { hint: e.hint } : {}) } });
    return;
  }
  out.error(`${out.paint("red", `error[${e?.code ?? "INTERNAL"}]`)}: ${message}`);
  if (e?.hint) out.error(`  ${out.paint("dim", "fix:")} ${e.hint}`);
}

/**
 * `migrator lint`'s report. text: each finding with its fix, then a summary; json: one object per
 * finding, per note, then a summary; github: workflow commands that annotate the files in a pull request.
 */
export function renderLint(out: Output, result: LintResult, format: "text" | "json" | "github"): void {
  const summary = `${result.errors} error${result.errors === 1 ? "" : "s"}, ${result.warnings} warning${result.warnings === 1 ? "" : "s"} in ${result.migrations.length} migration${result.migrations.length === 1 ? "" : "s"}${result.suppressed.length ? ` (${result.suppressed.length} suppressed)` : ""}.`;
  if (format === "json") {
    for (const finding of result.findings) out.event({ ...finding });
    for (const note of result.notes) out.event({ note });
    out.event({ summary: true, ok: result.errors === 0, migrations: result.migrations, errors: result.errors, warnings: result.warnings, suppressed: result.suppressed.length });
    return;
  }
  if (format === "github") {
    // Workflow command syntax: properties escape % \r \n : , and the message escapes % \r \n.
    const data = (text: string) => text.replaceAll("%", "%25").replaceAll("\r", "%0D").replaceAll("\n", "%0A");
    const property = (text: string) => data(text).replaceAll(":", "%3A").replaceAll(",", "%2C");
    for (const f of result.findings) {
      const where = `file=${property(f.file)},line=${f.line}${f.column ? `,col=${f.column}` : ""}`;
      out.line(`::${f.severity} ${where},title=${property(`${f.rule} (${f.source})`)}::${data(`${f.message}\nFix: ${f.fix}`)}`);
    }
    for (const note of result.notes) out.line(`::notice title=migrator lint::${data(note)}`);
    out.line(summary);
    return;
  }
  if (!result.migrations.length) out.line("No migrations to lint.");
  for (const f of result.findings) {
    const where = `${f.file}:${f.line}${f.column ? `:${f.column}` : ""}`;
    out.line(`${out.paint(f.severity === "error" ? "red" : "yellow", `${f.severity}[${f.rule}]`)} ${where}${f.source === "squawk" ? out.paint("dim", " (squawk)") : ""}`);
    out.line(`  ${f.message}`);
    out.line(`  ${out.paint("dim", "fix:")} ${f.fix}`);
    out.line();
  }
  for (const note of result.notes) out.error(out.paint("dim", `note: ${note}`));
  out.line(result.errors ? out.paint("red", summary) : summary);
}
