import { spawn } from "node:child_process";
import { join } from "node:path";
import { describe, expect, it } from "vitest";

const packageDir = join(import.meta.dirname, "..");

function cli(...args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["--import", "tsx", "src/cli.ts", ...args], { cwd: packageDir });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    child.once("error", reject);
    child.once("close", (code) => resolve({ code, stdout, stderr }));
  });
}

// Only commands that start nothing: the CLI works on the monorepo's own .local/postgres, which the
// tests must not create. The commands themselves are thin calls covered by local-server.test.ts.
describe("db:local CLI", () => {
  it("prints usage on stderr and exits 2 for an unknown command", async () => {
    const result = await cli("frobnicate");
    expect(result.code).toBe(2);
    expect(result.stdout).toBe("");
    expect(result.stderr).toContain('unknown command "frobnicate"');
    expect(result.stderr).toContain("Usage: pnpm db:local");
  });

  it("exits 2 without a command", async () => {
    expect((await cli()).code).toBe(2);
  });

  it("prints usage on stdout for help", async () => {
    const result = await cli("help");
    expect(result.code).toBe(0);
    expect(result.stdout).toContain("DATABASE_URL=$(pnpm -s db:local url)");
  });

  it("reports an invalid LOCAL_PG_PORT on stderr with exit 1", async () => {
    const child = await new Promise<{ code: number | null; stderr: string }>((resolve) => {
      const proc = spawn(process.execPath, ["--import", "tsx", "src/cli.ts", "status"], {
        cwd: packageDir,
        env: { ...process.env, LOCAL_PG_PORT: "nope" },
      });
      let stderr = "";
      proc.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
      proc.once("close", (code) => resolve({ code, stderr }));
    });
    expect(child.code).toBe(1);
    expect(child.stderr).toContain("LOCAL_PG_PORT=nope");
    expect(child.stderr).toContain("[INVALID_OPTION]");
  });
});
