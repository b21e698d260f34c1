// Running the unmodified Prisma CLI with this package's engine as its schema engine.
import { spawn } from "node:child_process";
import { createRequire } from "node:module";
import path from "node:path";
import { fileURLToPath } from "node:url";

/** The executable the Prisma CLI should run as its schema engine. */
export const schemaEngineBinary = fileURLToPath(new URL("../bin/schema-engine.js", import.meta.url));

/** The Prisma CLI's entry script, as installed beside this package. */
export const prismaCliEntry = path.join(path.dirname(createRequire(import.meta.url).resolve("prisma/package.json")), "build", "index.js");

/**
 * The environment for a Prisma CLI process. A PRISMA_SCHEMA_ENGINE_BINARY the user set (a native
 * engine, say) is respected; otherwise it points at the wasm bridge.
 */
export function prismaEnv(env: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  return {
    ...env,
    PRISMA_SCHEMA_ENGINE_BINARY: env.PRISMA_SCHEMA_ENGINE_BINARY || schemaEngineBinary,
    // The CLI checks for updates over the network; this project works offline.
    PRISMA_HIDE_UPDATE_MESSAGE: env.PRISMA_HIDE_UPDATE_MESSAGE ?? "1",
    CHECKPOINT_DISABLE: env.CHECKPOINT_DISABLE ?? "1",
  };
}

export interface RunPrismaOptions {
  cwd: string;
  env?: NodeJS.ProcessEnv;
  /** "inherit" for a terminal; "pipe" to capture (tests, scripts). */
  stdio?: "inherit" | "pipe";
}

export interface PrismaRun {
  exitCode: number;
  stdout: string;
  stderr: string;
}

/** Runs `prisma <args>` and resolves with its exit code (and output, when piped). Never rejects on exit codes. */
export function runPrisma(args: string[], options: RunPrismaOptions): Promise<PrismaRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [prismaCliEntry, ...args], {
      cwd: options.cwd,
      env: prismaEnv(options.env),
      stdio: options.stdio === "pipe" ? ["ignore", "pipe", "pipe"] : "inherit",
    });
    let stdout = "";
    let stderr = "";
    child.stdout?.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr?.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    child.on("error", reject);
    child.on("close", (code, signal) => resolve({ exitCode: code ?? (signal ? 128 + 1 : 1), stdout, stderr }));
  });
}
