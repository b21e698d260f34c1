// The migrator's commands: argument parsing and output only; the work is @repo/migrate's.
import path from "node:path";
import { Command, CommanderError, Option } from "commander";
import { down, getHistory, getStatus, plan, resolve, scaffoldDataMigration, up, type EngineOptions, type Logger } from "@repo/migrate";
import { redactUrl } from "@repo/redact";
import { analysisCacheOptions, backupOptions, databaseUrl, dataMigrationsDir, DEFAULTS_FOR_HELP, loadDotEnv, migrationsDir, prismaClientFactory, runSettings, type BackupFlags, type GlobalFlags } from "./config.ts";
import { ExitCode, exitCodeFor } from "./exit-codes.ts";
import { renderError, renderHistory, renderLint, renderPlan, renderRun, renderStatus } from "./output/render.ts";
import { codeCacheReport } from "./bundle/code-cache-report.ts";
import { createOutput, type Output } from "./output/terminal.ts";

/** A one-line progress bar for a terminal: `[#####·····] 48% 480,000/1,000,000 rows 95,000 rows/s ETA 6 s`. */
function progressBar(fields: Record<string, unknown>): string {
  const done = Number(fields.rowsDone ?? 0);
  const total = Number(fields.rowsEstimate ?? 0) || done || 1;
  const ratio = Math.min(1, done / total);
  const filled = Math.round(ratio * 20);
  const eta = typeof fields.etaSeconds === "number" ? ` ETA ${fields.etaSeconds} s` : "";
  return `[${"#".repeat(filled)}${"·".repeat(20 - filled)}] ${Math.round(ratio * 100)}% ${done.toLocaleString("en")}/${total.toLocaleString("en")} rows ${Number(fields.rowsPerSecond ?? 0).toLocaleString("en")} rows/s${eta}`;
}

function loggerFor(out: Output): Logger {
  let barShown = false;
  const write = (level: string) => (message: string, fields?: Record<string, unknown>) => {
    if (out.json) {
      out.event({ level, message, ...fields });
      return;
    }
    if (level === "debug") return;
    if (fields?.event === "progress" && process.stderr.isTTY) {
      process.stderr.write(`\r${progressBar(fields)}\u001b[K`);
      barShown = true;
      return;
    }
    if (barShown) process.stderr.write("\n");
    barShown = false;
    out.error(out.paint(level === "warn" ? "yellow" : "dim", message));
  };
  return { info: write("info"), warn: write("warn"), debug: write("debug") };
}

interface Context {
  out: Output;
  options: EngineOptions;
  database: string;
}

async function context(flags: GlobalFlags, signal: AbortSignal | undefined): Promise<Context> {
  const out = createOutput({ json: !!flags.json, color: flags.color });
  const log = loggerFor(out);
  // Which compiled-code cache this start used (set by a production build's dist/main.js, src/bundle/loader.ts).
  const codeCache = codeCacheReport();
  if (codeCache) log.debug("Compiled code cache", { event: "code_cache", ...codeCache });
  const settings = runSettings(flags);
  const url = await databaseUrl(flags, process.env, (line) => log.info(line));
  return {
    out,
    database: redactUrl(url),
    options: {
      url,
      migrationsDir: await migrationsDir(flags),
      dataMigrationsDir: await dataMigrationsDir(flags),
      dataClient: prismaClientFactory,
      analysisCache: await analysisCacheOptions(),
      settings,
      log,
      signal,
    },
  };
}

/** Builds the program. `run` resolves with the exit code; nothing here calls process.exit. */
export function buildProgram(setExitCode: (code: number) => void, signal?: AbortSignal): Command {
  const program = new Command("migrator")
    .description("Apply, roll back and inspect Prisma migrations: Alembic's commands on Prisma's migrations table.")
    .option("--url <url>", "PostgreSQL URL (default: DATABASE_URL)")
    .option("--migrations <dir>", "the Prisma migrations folder (default: MIGRATIONS_DIR, else @repo/db's)")
    .option("--data-migrations <dir>", "the data-migrations folder (default: DATA_MIGRATIONS_DIR, else @repo/db's)")
    .option("--json", "one JSON object per line instead of text")
    .option("--no-color", "no colour (also: NO_COLOR=1)")
    .option("--lock-wait <duration>", `how long to wait for another run's migration lock (default ${DEFAULTS_FOR_HELP.lockWait})`)
    .option("--lock-timeout <duration>", `lock_timeout for each migration's statements (default ${DEFAULTS_FOR_HELP.lockTimeout}; a migration header can override)`)
    .option("--statement-timeout <duration>", `statement_timeout for each statement (default ${DEFAULTS_FOR_HELP.statementTimeout})`)
    .showHelpAfterError()
    .exitOverride();

  const flags = () => program.opts<GlobalFlags>();

  program
    .command("status")
    .description("each migration's state: applied, pending, failed, edited, missing")
    .option("--check", `exit ${ExitCode.notAtHead} unless every migration is applied (for pipelines and readiness)`)
    .action(async (options: { check?: boolean }) => {
      const ctx = await context(flags(), signal);
      const status = await getStatus(ctx.options);
      renderStatus(ctx.out, status, ctx.database);
      if (options.check && !status.atHead) setExitCode(ExitCode.notAtHead);
    });

  program
    .command("current")
    .description("the last applied migration")
    .action(async () => {
      const ctx = await context(flags(), signal);
      const status = await getStatus(ctx.options);
      if (ctx.out.json) ctx.out.event({ current: status.current });
      else ctx.out.line(status.current ?? "(nothing applied)");
    });

  program
    .command("history")
    .description("every recorded run: applied, rolled back and failed, with durations")
    .action(async () => {
      const ctx = await context(flags(), signal);
      renderHistory(ctx.out, await getHistory(ctx.options));
    });

  const runCommand = (direction: "up" | "down") => async (target: string | undefined, options: { dryRun?: boolean } & BackupFlags) => {
    const backup = backupOptions(options);
    const ctx = await context(flags(), signal);
    const chosen = target ?? (direction === "up" ? "head" : "-1");
    if (options.dryRun) {
      renderPlan(ctx.out, await plan(ctx.options, direction, chosen));
      return;
    }
    const engine = backup ? { ...ctx.options, backup } : ctx.options;
    const result = direction === "up" ? await up(engine, chosen) : await down(engine, chosen);
    renderRun(ctx.out, result);
    if (!result.ok) setExitCode(ExitCode.migrationFailed);
  };

  // The commands that change the schema: --dry-run, and --backup (a pg_dump first, when there is something to run).
  const changeFlags = (command: Command) =>
    command
      .option("--dry-run", "print the SQL that would run, run nothing")
      .option("--backup <dir>", `pg_dump --format=custom into a new file in <dir> before the first step, when something is to run; no backup, nothing run (exit ${ExitCode.backupFailed}) (default: MIGRATOR_BACKUP_DIR)`)
      .option("--no-backup", "no backup, even with MIGRATOR_BACKUP_DIR set")
      .option("--pg-dump <path>", "the pg_dump to run for --backup; its major version must be the server's or newer (default: PG_DUMP, else pg_dump on PATH)");

  changeFlags(program.command("up [target]").description("apply pending migrations up to target: head (default), +N, or a migration name")).action(runCommand("up"));
  changeFlags(program.command("down [target]").description("roll back with down.sql to target: -1 (default), -N, base, or a migration name (kept applied)")).action(
    runCommand("down"),
  );
  changeFlags(program.command("deploy").description("apply every pending migration (up head): what a release runs")).action((options: { dryRun?: boolean } & BackupFlags) => runCommand("up")("head", options));

  program
    .command("plan [target]")
    .description("print exactly the SQL that up (or --down) would run for target")
    .addOption(new Option("--down", "plan a rollback instead (default target -1)"))
    .action(async (target: string | undefined, options: { down?: boolean }) => {
      const ctx = await context(flags(), signal);
      renderPlan(ctx.out, await plan(ctx.options, options.down ? "down" : "up", target ?? (options.down ? "-1" : "head")));
    });

  program
    .command("resolve <migration>")
    .description("mark a failed migration --rolled-back (deploy runs it again) or --applied (finished by hand)")
    .addOption(new Option("--applied", "it is applied: record it so").conflicts("rolledBack"))
    .addOption(new Option("--rolled-back", "nothing of it remains: deploy will run it again"))
    .action(async (name: string, options: { applied?: boolean; rolledBack?: boolean }) => {
      if (!options.applied && !options.rolledBack) throw new CommanderError(ExitCode.usage, "migrator.resolve", "resolve needs --applied or --rolled-back.");
      const ctx = await context(flags(), signal);
      await resolve(ctx.options, name, options.applied ? "applied" : "rolled-back");
      if (ctx.out.json) ctx.out.event({ resolved: name, as: options.applied ? "applied" : "rolled-back" });
      else ctx.out.line(`Marked ${name} as ${options.applied ? "applied" : "rolled back"}.`);
    });

  // lint: reads files only, except the default selection (pending migrations), which asks the database.
  program
    .command("lint [migrations...]")
    .description("check migrations for data loss and production locks (squawk's PostgreSQL rules and this project's); default: the pending ones")
    .option("--all", "every migration in the folder (no database needed)")
    .option("--since <ref>", "the migrations new or changed since a git ref, e.g. origin/main (no database needed); drops are checked against that ref's schema.prisma")
    .addOption(new Option("--format <format>", "text, json (as --json) or github (workflow annotations)").choices(["text", "json", "github"]))
    .action(async (names: string[], options: { all?: boolean; since?: string; format?: "text" | "json" | "github" }) => {
      const format = options.format ?? (flags().json ? "json" : "text");
      const out = createOutput({ json: format === "json", color: flags().color });
      const dir = await migrationsDir(flags());
      const pending = !names.length && !options.all && options.since === undefined;
      // Loaded here only: the linter (squawk, the rules) is not needed by the other commands' start-up.
      const { lintMigrations, selectForLint } = await import("@repo/migrate/lint");
      const selected = await selectForLint({ migrationsDir: dir, names, all: options.all, since: options.since, engine: pending ? (await context(flags(), signal)).options : undefined });
      const result = await lintMigrations({ migrationsDir: dir, ...selected, cwd: process.env.INIT_CWD ?? process.cwd() });
      renderLint(out, result, format);
      if (result.errors > 0) setExitCode(ExitCode.lintErrors);
    });

  const data = program.command("data").description("data migrations");
  data
    .command("new <name>")
    .description("scaffold a data migration anchored to the newest schema migration")
    .action(async (name: string) => {
      const out = createOutput({ json: !!flags().json, color: flags().color });
      const migrations = await migrationsDir(flags());
      const dataDir = (await dataMigrationsDir(flags())) ?? path.join(path.dirname(migrations), "data-migrations");
      const file = await scaffoldDataMigration({ name, migrationsDir: migrations, dataMigrationsDir: dataDir });
      if (out.json) out.event({ created: file });
      else out.line(`Created ${file}\nWrite its up (and down), then deploy: it runs right after its anchor schema migration.`);
    });

  return program;
}

/** Runs the CLI with `argv` (without node and the script) and resolves with the exit code. */
export async function runCli(argv: string[], options: { signal?: AbortSignal } = {}): Promise<number> {
  loadDotEnv();
  let code: number = ExitCode.ok;
  const program = buildProgram((value) => (code = value), options.signal);
  try {
    await program.parseAsync(argv, { from: "user" });
    return code;
  } catch (error) {
    if (error instanceof CommanderError) {
      // Help and version are not errors; everything else commander rejects is a usage error.
      if (error.code === "commander.helpDisplayed" || error.code === "commander.help" || error.code === "commander.version") return ExitCode.ok;
      if (error.code === "migrator.resolve") process.stderr.write(`error: ${error.message}\n`);
      return ExitCode.usage;
    }
    const json = argv.includes("--json");
    renderError(createOutput({ json, color: !argv.includes("--no-color") }), error);
    return exitCodeFor(error);
  }
}
