// `-- migrate:allow <rule> <reason>`: the reason is required, the comment binds to one statement (or,
// in the header, to the whole file), and a stale one is reported.
import { describe, expect, it } from "vitest";
import { brief, lintFixture, lintInline } from "./helpers.ts";

describe("suppressions", () => {
  it("a suppression with a reason silences that rule on its statement: the line before, the same line, or the header for file findings", async () => {
    const result = await lintFixture("suppression/with-reason");
    expect(result.findings).toEqual([]);
    expect(result.errors).toBe(0);
    expect(result.suppressed.map((f) => [f.rule, f.file, f.line, f.reason])).toEqual([
      ["index-not-concurrent", "20240102000000_change/migration.sql", 4, "account holds a few hundred rows: a plain build takes milliseconds"],
      ["ban-drop-table", "20240102000000_change/migration.sql", 6, "no release ever read team: it was created by mistake"],
      ["missing-down", "20240103000000_lowercase_emails/migration.sql", 1, "a one-way data fix: the original spelling of each address is not kept"],
    ]);
  });

  it("a suppression without a reason is an error and silences nothing", async () => {
    const result = await lintFixture("suppression/without-reason");
    expect(brief(result)).toEqual(["suppression-without-reason 20240102000000_change/migration.sql:1", "index-not-concurrent 20240102000000_change/migration.sql:2"]);
    expect(result.findings.map((f) => f.severity)).toEqual(["error", "error"]);
    expect(result.findings[0]?.fix).toContain("-- migrate:allow index-not-concurrent <why this is safe here>");
  });

  it("a suppression that silences nothing is a warning, naming an unknown rule as such", async () => {
    const result = await lintFixture("suppression/unused");
    expect(result.findings.map((f) => [f.rule, f.severity, f.line])).toEqual([
      ["unused-suppression", "warning", 1],
      ["unused-suppression", "warning", 3],
    ]);
    expect(result.findings[1]?.message).toContain('"no-such-rule"');
    expect(result.errors).toBe(0);
  });

  it("binds to the statement below only: the same rule on another statement still reports", async () => {
    const result = await lintInline({
      "20240102000000_two_indexes": {
        up: '-- migrate:allow index-not-concurrent tiny table\nCREATE INDEX "a" ON "account"("email");\n\nCREATE INDEX "b" ON "account"("name");\n',
        down: 'DROP INDEX CONCURRENTLY "a";\nDROP INDEX CONCURRENTLY "b";\n',
      },
    });
    expect(brief(result)).toEqual(["index-not-concurrent 20240102000000_two_indexes/migration.sql:4"]);
  });

  it("does not read suppressions out of strings", async () => {
    const result = await lintInline({
      "20240102000000_string": {
        up: 'CREATE INDEX "a" ON "account"("email") WHERE "name" <> \'\n-- migrate:allow index-not-concurrent in a string\n\';\n',
        down: 'DROP INDEX CONCURRENTLY "a";\n',
      },
    });
    expect(brief(result)).toEqual(["index-not-concurrent 20240102000000_string/migration.sql:1"]);
  });
});
