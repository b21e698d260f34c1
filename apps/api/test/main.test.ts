// The API process as `pnpm start` runs it: configuration errors stop it with exit code 2 naming the
// variable; SIGTERM drains and exits 0.
import { spawn } from "node:child_process";
import { createRequire } from "node:module";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath, pathToFileURL } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { TestDatabase } from "@repo/dev-postgres";
import { testDatabase } from "./helpers.ts";

// `node --import tsx`, one process: tsx's CLI would run the API in a child and relay SIGTERM to it,
// and it SIGKILLs that child (exit 143) when the child does not confirm the signal within 30 ms, which
// a loaded CI machine can miss.
const tsx = pathToFileURL(createRequire(import.meta.url).resolve("tsx")).href;
const emptyDir = mkdtempSync(path.join(tmpdir(), "api-main-"));
const main = fileURLToPath(new URL("../src/main.ts", import.meta.url));

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs the API process to its exit; `onLine` sees each line it writes to stdout as it comes. */
function start(env: Record<string, string>, onLine?: (line: string, child: ReturnType<typeof spawn>) => void): Promise<Run> {
  // INIT_CWD points at an empty folder of its own so no .env leaks in.
  const child = spawn(process.execPath, ["--import", tsx, main], { env: { PATH: process.env.PATH ?? "", INIT_CWD: emptyDir, NODE_ENV: "test", ...env }, stdio: ["ignore", "pipe", "pipe"] });
  let stdout = "";
  let stderr = "";
  createInterface({ input: child.stdout }).on("line", (line) => {
    stdout += `${line}\n`;
    onLine?.(line, child);
  });
  child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise((resolve) => child.on("close", (code) => resolve({ code, stdout, stderr })));
}

let database: TestDatabase;
beforeAll(async () => {
  database = await testDatabase();
});
afterAll(() => database.drop());

describe("the API process", () => {
  it("stops with exit code 2 and a message naming each bad variable", async () => {
    const run = await start({ PORT: "eighty", LOG_LEVEL: "loud", DATABASE_URL: "mysql://root:hunter2@db/app" });
    expect(run.code, run.stderr).toBe(2);
    expect(run.stderr).toContain("Invalid configuration:");
    expect(run.stderr).toContain('PORT: must be a whole number from 0 to 65535 (got "eighty")');
    expect(run.stderr).toMatch(/LOG_LEVEL: must be one of fatal, error, warn, info, debug, trace, silent \(got "loud"\)/);
    expect(run.stderr).toMatch(/DATABASE_URL: must be a URL like postgresql:/);
    expect(run.stderr).not.toContain("hunter2");
  });

  it("stops with exit code 2 in production without a JWT secret, or with a short one, never printing it", async () => {
    const missing = await start({ NODE_ENV: "production", DATABASE_URL: database.url });
    expect(missing.code, missing.stderr).toBe(2);
    expect(missing.stderr).toContain("JWT_SECRET: required in production");
    const short = await start({ NODE_ENV: "production", DATABASE_URL: database.url, JWT_SECRET: "tooshort-hunter2" });
    expect(short.code, short.stderr).toBe(2);
    expect(short.stderr).toContain("JWT_SECRET: too short (16 bytes)");
    expect(short.stderr).not.toContain("hunter2");
  });

  it("stops with exit code 2 when DATABASE_URL is missing", async () => {
    const run = await start({});
    expect(run.code, run.stderr).toBe(2);
    expect(run.stderr).toContain("DATABASE_URL: required");
  });

  it("serves until SIGTERM, then drains, closes the pool and exits 0", async () => {
    let ready: number | undefined;
    const run = await start({ DATABASE_URL: database.url, PORT: "0", CREATE_TABLES_ON_START: "false", LOG_LEVEL: "info" }, (line, child) => {
      const entry = JSON.parse(line) as { msg: string; url?: string };
      if (entry.url && entry.msg.startsWith("API listening")) {
        void fetch(`${entry.url}/ready`).then((response) => {
          ready = response.status;
          child.kill("SIGTERM");
        });
      }
    });
    expect(ready, `${run.stderr}\n${run.stdout}`).toBe(200);
    expect(run.code, run.stderr).toBe(0);
    const messages = run.stdout.split("\n").filter(Boolean).map((line) => (JSON.parse(line) as { msg: string }).msg);
    expect(messages).toEqual(expect.arrayContaining(["starting", "signal received", "stopped"]));
  });
});
