// `pnpm db:migrate …`, `pnpm db:push`, `pnpm db:generate`, `pnpm db:prisma …`: the Prisma CLI for this
// package, run through the WebAssembly schema engine, against DATABASE_URL or the embedded server.
// `migrate dev` also writes each new migration's down.sql.
import path from "node:path";
import { runPrisma } from "@repo/prisma-engine";
import { migrationNames, writeDownScripts } from "../down-scripts.ts";
import { migrationsDir, packageDir, schemaPath } from "../paths.ts";

/** Prisma commands that never open a database connection. */
const OFFLINE_COMMANDS = new Set(["generate", "validate", "format", "version", "-v", "--version", "init", "help", "--help", "-h"]);

function needsDatabase(args: string[]): boolean {
  if (args.length === 0 || args.includes("--help") || args.includes("-h")) return false;
  if (OFFLINE_COMMANDS.has(args[0] ?? "")) return false;
  // `migrate diff` between files needs no server; it does when a side is the database or migrations.
  if (args[0] === "migrate" && args[1] === "diff") {
    return args.some((arg) => arg === "--from-config-datasource" || arg === "--to-config-datasource" || arg.startsWith("--from-migrations") || arg.startsWith("--to-migrations"));
  }
  return true;
}

async function main(args: string[]): Promise<number> {
  const env = { ...process.env };
  if (needsDatabase(args)) {
    // Loaded only when needed: `generate` should not pay for starting a server.
    const { resolveDatabaseUrl } = await import("@repo/dev-postgres");
    env.DATABASE_URL = (await resolveDatabaseUrl()).url;
  }
  const isMigrateDev = args[0] === "migrate" && args[1] === "dev";
  const before = isMigrateDev ? new Set(await migrationNames(migrationsDir)) : new Set<string>();
  const { exitCode } = await runPrisma(args, { cwd: packageDir, env, stdio: "inherit" });
  if (isMigrateDev && env.DATABASE_URL) {
    // Even when Prisma failed after creating the folder (e.g. applying it), the new migration needs its down.sql.
    const created = (await migrationNames(migrationsDir)).filter((name) => !before.has(name));
    const written = await writeDownScripts({ url: env.DATABASE_URL, migrationsDir, names: created, shadowDatabaseUrl: env.SHADOW_DATABASE_URL });
    for (const file of written) process.stdout.write(`Wrote ${path.relative(process.env.INIT_CWD ?? process.cwd(), file)}: review it with migration.sql.\n`);
    if (created.length) await printLint(created);
  }
  return exitCode;
}

/**
 * Prints `migrator lint`'s findings for the migrations `migrate dev` just created, checking drops
 * against the schema committed at HEAD (the code before this change). Never changes the exit code.
 */
async function printLint(names: string[]): Promise<void> {
  try {
    const { fileAtRef, lintMigrations } = await import("@repo/migrate/lint");
    const text = await fileAtRef("HEAD", schemaPath).catch(() => undefined);
    const result = await lintMigrations({ migrationsDir, names, cwd: process.env.INIT_CWD ?? process.cwd(), previousSchema: text === undefined ? undefined : { ref: "HEAD", text } });
    for (const f of result.findings) process.stdout.write(`${f.severity}[${f.rule}] ${f.file}:${f.line}\n  ${f.message}\n  fix: ${f.fix}\n`);
    process.stdout.write(`Lint: ${result.errors} error${result.errors === 1 ? "" : "s"}, ${result.warnings} warning${result.warnings === 1 ? "" : "s"}${result.errors ? ": fix them before committing (`pnpm db:lint <name>` checks again)" : ""}.\n`);
  } catch (error) {
    process.stderr.write(`Lint did not run: ${error instanceof Error ? error.message : String(error)}\n`);
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  },
);
