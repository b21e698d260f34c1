// The `pnpm db:*` runner: the Prisma CLI for this package against DATABASE_URL, secrets kept out of logs.
import { spawnSync } from "node:child_process";
import { createTestDatabase } from "@repo/dev-postgres";
import { describe, expect, inject, it, onTestFinished } from "vitest";
import { packageDir } from "../src/paths.ts";

function runner(args: string[], env: NodeJS.ProcessEnv) {
  return spawnSync(process.execPath, ["--import", "tsx", "src/cli/prisma.ts", ...args], { cwd: packageDir, env: { ...process.env, NO_COLOR: "1", ...env }, encoding: "utf8" });
}

describe("the db:* runner", () => {
  it("uses DATABASE_URL, says so with the password redacted, and passes Prisma's exit code through", async () => {
    const db = await createTestDatabase(inject("serverUrl"), { prefix: "runner_" });
    onTestFinished(() => db.drop());
    const url = new URL(db.url);
    url.password = "s3cret-pw"; // The test server trusts local connections: any password is accepted.
    const run = runner(["migrate", "status"], { DATABASE_URL: url.toString() });
    expect(run.stderr).toContain(`Using DATABASE_URL postgresql://${url.username}:***@`);
    expect(`${run.stdout}${run.stderr}`).not.toContain("s3cret-pw");
    expect(run.status).toBe(1); // pending: nothing applied yet
    expect(run.stdout).toMatch(/Following migrations? have not yet been applied:\n\d{14}_init/);
  });

  it("runs offline commands (generate, validate) without a database", () => {
    const run = runner(["validate"], { DATABASE_URL: "" });
    expect(run.status, run.stderr).toBe(0);
    expect(run.stdout).toContain("is valid");
    expect(run.stderr).not.toContain("Using");
  });
});
