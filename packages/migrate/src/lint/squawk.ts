// squawk's PostgreSQL rules, run as a subprocess: the `squawk-cli` npm package ships its native binary
// in a platform package (@squawk-cli/linux-x64, …). Its JSON findings become this project's findings.
// squawk reports every rule as a warning; SEVERITY says which ones fail the lint here, and a few rules
// are left out because this project's own rules replace them or because of how the migrator runs.
import { execFile } from "node:child_process";
import { createRequire } from "node:module";
import path from "node:path";
import type { Severity } from "./finding.ts";

/** squawk rules this project's rules replace: they know more (existing tables, the old column type, a validated CHECK). */
export const SQUAWK_REPLACED: Readonly<Record<string, string>> = {
  "require-concurrent-index-creation": "index-not-concurrent",
  "adding-foreign-key-constraint": "foreign-key-not-valid",
  "adding-required-field": "not-null-without-backfill",
  "adding-not-nullable-field": "not-null-without-backfill",
  "changing-column-type": "rewriting-type-change",
};

/** squawk rules that do not apply to migrations the migrator runs, and why. */
export const SQUAWK_NOT_APPLICABLE: Readonly<Record<string, string>> = {
  "require-lock-timeout": "the migrator sets lock_timeout for every migration (default 5 s; `-- migrate: lock_timeout=…`)",
  "require-statement-timeout": "the migrator sets statement_timeout for every migration (default 10 min)",
  "require-timeout-settings": "the migrator sets both timeouts for every migration",
  "prefer-robust-stmts": "a migration runs in one transaction, or statement by statement resuming after the last one that finished",
  "prefer-identity": "Prisma writes `@default(autoincrement())` as SERIAL and cannot declare identity columns: not actionable in a Prisma migration",
};

/** Left out for down.sql only: a down script drops and renames what its up script made, by design. */
export const SQUAWK_NOT_FOR_DOWN: readonly string[] = [
  "ban-drop-column",
  "ban-drop-table",
  "ban-drop-not-null",
  "renaming-column",
  "renaming-table",
  // It recreates what the previous release had, types included: style advice does not apply.
  "prefer-bigint-over-int",
  "prefer-bigint-over-smallint",
  "prefer-text-field",
  "prefer-timestamp-tz",
  "ban-char-field",
];

/**
 * The severity of each squawk rule here. Errors: the statement fails under the migrator, loses rows,
 * or holds a lock that blocks reads or writes for a scan or rewrite of the table. Everything else
 * (and any rule a newer squawk adds) is a warning.
 */
export const SQUAWK_ERRORS: ReadonlySet<string> = new Set([
  "adding-field-with-default", // a volatile DEFAULT rewrites the table under ACCESS EXCLUSIVE
  "adding-serial-primary-key-field", // rewrites the table and builds an index under ACCESS EXCLUSIVE
  "ban-concurrent-index-creation-in-transaction", // fails: CONCURRENTLY cannot run in a transaction
  "ban-drop-database",
  "ban-truncate-cascade", // empties every table that references this one
  "ban-uncommitted-transaction", // the migrator refuses scripts that control transactions
  "transaction-nesting",
  "constraint-missing-not-valid", // scans the table while blocking writes
  "disallowed-unique-constraint", // builds the index under ACCESS EXCLUSIVE
  "require-concurrent-reindex", // REINDEX blocks writes for the whole build
]);

/** Every rule squawk 2.66 has (its `--exclude` refuses other names), for telling a mistyped suppression. */
export const SQUAWK_RULES: readonly string[] = [
  "adding-field-with-default", "adding-foreign-key-constraint", "adding-not-nullable-field", "adding-required-field",
  "adding-serial-primary-key-field", "ban-alter-domain-with-add-constraint", "ban-char-field",
  "ban-concurrent-index-creation-in-transaction", "ban-create-domain-with-constraint", "ban-drop-column", "ban-drop-database",
  "ban-drop-not-null", "ban-drop-table", "ban-duplicate-column-assignments", "ban-truncate-cascade", "ban-uncommitted-transaction",
  "changing-column-type", "constraint-missing-not-valid", "disallowed-unique-constraint", "identifier-too-long",
  "prefer-bigint-over-int", "prefer-bigint-over-smallint", "prefer-identity", "prefer-robust-stmts", "prefer-text-field",
  "prefer-timestamp-tz", "renaming-column", "renaming-table", "require-concurrent-index-creation",
  "require-concurrent-index-deletion", "require-concurrent-partition-detach", "require-concurrent-reindex",
  "require-enum-value-ordering", "require-lock-timeout", "require-statement-timeout", "require-table-schema",
  "require-timeout-settings", "transaction-nesting", "unused-ignore", "syntax-error",
];

/** The safe alternative for squawk rules whose JSON carries no `help`. */
const FIXES: Readonly<Record<string, string>> = {
  "ban-drop-column": "Expand/contract: ship the code that no longer uses the column in one release, drop it in a later one.",
  "ban-drop-table": "Expand/contract: ship the code that no longer uses the table in one release, drop it in a later one.",
  "ban-drop-not-null": "Make sure every client writes the column, or keep it NOT NULL.",
  "renaming-column": "Expand/contract: add the new column, write both, backfill, switch reads, then drop the old one; or rename in a release whose code no longer uses the old name.",
  "renaming-table": "Rename in a release whose code no longer uses the old name, or keep a view with the old name meanwhile.",
  "transaction-nesting": "Remove BEGIN/COMMIT: the migrator runs each migration in a transaction itself (`-- migrate: transaction=false` for statements that cannot).",
  "ban-uncommitted-transaction": "Remove BEGIN/COMMIT: the migrator runs each migration in a transaction itself.",
};

export function squawkFix(rule: string, help: string | null): string {
  return help ?? FIXES[rule] ?? `See squawk's documentation of ${rule}: https://squawkhq.com/docs/${rule}`;
}

export function squawkSeverity(rule: string): Severity {
  return SQUAWK_ERRORS.has(rule) ? "error" : "warning";
}

/** One finding as squawk's `--reporter json` prints it (0-based line and column). */
export interface SquawkFinding {
  file: string;
  line: number;
  column: number;
  level: string;
  message: string;
  help: string | null;
  rule_name: string;
}

export interface SquawkInput {
  /** Absolute path of the SQL file. */
  path: string;
  role: "up" | "down";
  /** Whether the migrator wraps it in a transaction (squawk's `--assume-in-transaction`). */
  transactional: boolean;
}

export interface SquawkOutput {
  /** Findings by absolute path. */
  findings: Map<string, SquawkFinding[]>;
  version?: string;
  /** Why squawk did not run, when it did not. */
  unavailable?: string;
}

/** The squawk binary the installed `squawk-cli` package resolves for this platform. */
export function squawkBinary(): string {
  const require = createRequire(import.meta.url);
  const launcher = require("squawk-cli/js/index.js") as { getBinaryPath(): string };
  return launcher.getBinaryPath();
}

/** Runs squawk over `files` (one run per kind of file) and collects its findings. Never throws. */
export async function runSquawk(files: readonly SquawkInput[], options: { binary?: string; cwd?: string } = {}): Promise<SquawkOutput> {
  const findings = new Map<string, SquawkFinding[]>();
  if (files.length === 0) return { findings };
  let binary: string;
  let version: string;
  try {
    binary = options.binary ?? squawkBinary();
    version = (await run(binary, ["--version"], options.cwd)).stdout.trim();
  } catch (error) {
    return { findings, unavailable: error instanceof Error ? error.message : String(error) };
  }
  const groups = new Map<string, SquawkInput[]>();
  for (const file of files) {
    const key = `${file.role}:${file.transactional}`;
    groups.set(key, [...(groups.get(key) ?? []), file]);
  }
  for (const group of groups.values()) {
    const { role, transactional } = group[0] as SquawkInput;
    const excluded = [...Object.keys(SQUAWK_REPLACED), ...Object.keys(SQUAWK_NOT_APPLICABLE), ...(role === "down" ? SQUAWK_NOT_FOR_DOWN : [])];
    const args = ["--reporter", "json", transactional ? "--assume-in-transaction" : "--no-assume-in-transaction", `--exclude=${excluded.join(",")}`, ...group.map((f) => f.path)];
    let parsed: SquawkFinding[];
    try {
      // squawk exits 1 when it finds something: the JSON on stdout is what counts.
      const { stdout, stderr } = await run(binary, args, options.cwd, true);
      parsed = JSON.parse(stdout.trim() || "[]") as SquawkFinding[];
      if (!Array.isArray(parsed)) throw new Error(`unexpected output: ${stdout.slice(0, 200)} ${stderr.slice(0, 200)}`);
    } catch (error) {
      return { findings, version, unavailable: `${version} failed: ${error instanceof Error ? error.message : String(error)}` };
    }
    for (const finding of parsed) {
      const file = path.resolve(options.cwd ?? process.cwd(), finding.file);
      findings.set(file, [...(findings.get(file) ?? []), finding]);
    }
  }
  return { findings, version };
}

function run(binary: string, args: string[], cwd: string | undefined, findingsExit = false): Promise<{ stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    execFile(binary, args, { cwd, maxBuffer: 64 * 1024 * 1024, timeout: 60_000, encoding: "utf8" }, (error, stdout, stderr) => {
      if (error && !(findingsExit && error.code === 1 && stdout.trim().startsWith("["))) {
        reject(new Error(`${path.basename(binary)} ${args[0] ?? ""}: ${stderr.trim() || error.message}`));
        return;
      }
      resolve({ stdout, stderr });
    });
  });
}
