// `pnpm db:migrate …`, `pnpm db:push`, `pnpm db:generate`, `pnpm db:prisma …`: the Prisma CLI for this
// package, run through the WebAssembly schema engine, against DATABASE_URL or the embedded server.
import { runPrisma } from "@repo/prisma-engine";
import { packageDir } from "../paths.ts";

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
  const { exitCode } = await runPrisma(args, { cwd: packageDir, env, stdio: "inherit" });
  return exitCode;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  },
);
