// squawk runs as a subprocess from the squawk-cli package; its findings arrive in this project's shape
// (1-based lines and columns, severity from SQUAWK_ERRORS), respect the same suppressions, and leave
// out the rules this project replaces or that the migrator makes moot.
import { execFileSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import { squawkBinary } from "../../src/lint/index.ts";
import { lintFixture, lintInline } from "./helpers.ts";

describe("squawk", () => {
  it("is installed for this platform and runs", () => {
    expect(execFileSync(squawkBinary(), ["--version"], { encoding: "utf8" })).toMatch(/^squawk 2\.66\.0/);
  });

  it("reports a UNIQUE constraint on an existing table as an error from squawk, with line, column and fix", async () => {
    const result = await lintFixture("squawk/flag");
    expect(result.notes.filter((n) => n.startsWith("squawk"))).toEqual([]);
    expect(result.findings.find((f) => f.rule === "disallowed-unique-constraint")).toEqual({
      rule: "disallowed-unique-constraint",
      severity: "error",
      file: "20240102000000_change/migration.sql",
      line: 2,
      column: 27,
      message: expect.stringContaining("ACCESS EXCLUSIVE"),
      fix: expect.stringContaining("CONCURRENTLY"),
      source: "squawk",
    });
  });

  it("leaves out rules this project replaces or that do not apply (timeouts, robust statements); one finding per foreign key", async () => {
    const result = await lintFixture("foreign-key-not-valid/flag");
    const rules = result.findings.map((f) => f.rule);
    expect(rules).toContain("foreign-key-not-valid");
    for (const left of ["adding-foreign-key-constraint", "constraint-missing-not-valid", "require-lock-timeout", "require-statement-timeout", "prefer-robust-stmts"]) expect(rules).not.toContain(left);
  });

  it("knows whether the migrator wraps the file in a transaction (CONCURRENTLY files run outside one)", async () => {
    const result = await lintInline({
      "20240102000000_concurrently": { up: 'CREATE INDEX CONCURRENTLY "a" ON "account"("email");\n', down: 'DROP INDEX CONCURRENTLY "a";\n' },
    });
    expect(result.findings).toEqual([]);
  });

  it("is silenced by `-- migrate:allow <squawk rule> <reason>` like the project's own rules", async () => {
    const result = await lintInline({
      "20240102000000_unique": {
        up: '-- migrate:allow disallowed-unique-constraint,constraint-missing-not-valid account is empty until launch\nALTER TABLE "account" ADD CONSTRAINT "account_email_key" UNIQUE ("email");\n',
        down: 'ALTER TABLE "account" DROP CONSTRAINT "account_email_key";\n',
      },
    });
    expect(result.findings).toEqual([]);
    expect(result.suppressed.map((f) => f.rule).sort()).toEqual(["constraint-missing-not-valid", "disallowed-unique-constraint"]);
  });

  it("can be turned off", async () => {
    const result = await lintFixture("squawk/flag", { squawk: false });
    expect(result.findings).toEqual([]);
  });
});
