// Each of this project's lint rules on a fixture it must flag and on the safe form it must pass
// (fixtures/<rule>/flag and /pass, on top of fixtures/base), then the edge cases that decide what
// "safe" means for each rule.
import { describe, expect, it } from "vitest";
import { MIGRATOR_RULES } from "../../src/lint/index.ts";
import { brief, lintFixture, lintInline } from "./helpers.ts";

const CHANGE = "20240102000000_change";

describe("each rule flags its fixture and passes the safe form", () => {
  const cases: [rule: string, flagged: string[]][] = [
    ["likely-rename", [`likely-rename ${CHANGE}/migration.sql:3`, `likely-rename ${CHANGE}/down.sql:1`]],
    ["not-null-without-backfill", [`not-null-without-backfill ${CHANGE}/migration.sql:2`, `not-null-without-backfill ${CHANGE}/migration.sql:5`]],
    ["foreign-key-not-valid", [`foreign-key-not-valid ${CHANGE}/migration.sql:2`]],
    ["index-not-concurrent", [`index-not-concurrent ${CHANGE}/migration.sql:2`]],
    ["rewriting-type-change", [`rewriting-type-change ${CHANGE}/migration.sql:2`, `rewriting-type-change ${CHANGE}/down.sql:1`]],
    ["dropped-still-in-schema", [`dropped-still-in-schema ${CHANGE}/migration.sql:2`]],
    ["missing-down", [`missing-down ${CHANGE}/migration.sql:1`, "missing-down 20240103000000_empty_down/down.sql:1"]],
    ["down-drops-derived-data", [`down-drops-derived-data ${CHANGE}/down.sql:1`]],
  ];

  it("covers every rule that looks at migrations", () => {
    const own = MIGRATOR_RULES.map((rule) => rule.id).filter((id) => !["syntax-error", "suppression-without-reason", "unused-suppression"].includes(id));
    expect(cases.map(([rule]) => rule).sort()).toEqual(own.sort());
  });

  it.each(cases)("%s: flags the unsafe form as errors, with why and the safe alternative", async (rule, flagged) => {
    const result = await lintFixture(`${rule}/flag`);
    const mine = result.findings.filter((f) => f.rule === rule);
    expect(brief({ findings: mine })).toEqual(flagged);
    for (const finding of mine) {
      expect(finding).toMatchObject({ severity: "error", source: "migrator" });
      expect(finding.message.length).toBeGreaterThan(40);
      expect(finding.fix.length).toBeGreaterThan(20);
    }
    expect(result.errors).toBeGreaterThanOrEqual(flagged.length);
  });

  it.each(cases)("%s: passes the safe form without any error", async (rule) => {
    const result = await lintFixture(`${rule}/pass`);
    expect(result.findings.filter((f) => f.rule === rule)).toEqual([]);
    expect(result.findings.filter((f) => f.severity === "error")).toEqual([]);
  });
});

describe("what each rule accepts and refuses", () => {
  it("likely-rename: not when the file copies the old values into the new column first", async () => {
    const result = await lintInline({
      "20240102000000_copy": {
        up: 'ALTER TABLE "account" ADD COLUMN "full_name" TEXT;\nUPDATE "account" SET "full_name" = "name";\nALTER TABLE "account" DROP COLUMN "name";\n',
        down: 'ALTER TABLE "account" ADD COLUMN "name" TEXT;\nUPDATE "account" SET "name" = "full_name";\nALTER TABLE "account" DROP COLUMN "full_name";\n',
      },
    });
    expect(result.findings.filter((f) => f.rule === "likely-rename")).toEqual([]);
  });

  it("likely-rename: a column dropped and re-added under the same name, and a table dropped while another is created", async () => {
    const result = await lintInline({
      "20240102000000_retype": {
        up: 'ALTER TABLE "account" DROP COLUMN "visits",\nADD COLUMN "visits" TEXT;\nDROP TABLE "team";\nCREATE TABLE "squad" ("id" BIGSERIAL NOT NULL, CONSTRAINT "squad_pkey" PRIMARY KEY ("id"));\n',
        down: 'DROP TABLE "squad";\n',
      },
    });
    const renames = result.findings.filter((f) => f.rule === "likely-rename");
    expect(renames.map((f) => f.line)).toEqual([1, 3]);
    expect(renames[0]?.fix).toContain('ALTER COLUMN "visits" TYPE');
    expect(renames[1]?.fix).toContain('ALTER TABLE "team" RENAME TO "squad"');
  });

  it("not-null-without-backfill: a backfill in the file makes SET NOT NULL a warning (it still scans under the lock)", async () => {
    const result = await lintInline({
      "20240102000000_backfilled": {
        up: 'UPDATE "account" SET "team_id" = 1 WHERE "team_id" IS NULL;\nALTER TABLE "account" ALTER COLUMN "team_id" SET NOT NULL;\n',
        down: 'ALTER TABLE "account" ALTER COLUMN "team_id" DROP NOT NULL;\n',
      },
    });
    expect(result.findings.filter((f) => f.rule === "not-null-without-backfill")).toMatchObject([{ severity: "warning", line: 2, message: expect.stringContaining("line 1") }]);
  });

  it("not-null-without-backfill: a CHECK validated by an earlier migration lets SET NOT NULL pass; an unvalidated one does not", async () => {
    const check = 'ALTER TABLE "account" ADD CONSTRAINT "team_set" CHECK ("team_id" IS NOT NULL) NOT VALID;\n';
    const drop = { down: 'ALTER TABLE "account" DROP CONSTRAINT "team_set";\n' };
    const setNotNull = { up: 'ALTER TABLE "account" ALTER COLUMN "team_id" SET NOT NULL;\n', down: 'ALTER TABLE "account" ALTER COLUMN "team_id" DROP NOT NULL;\n' };
    const validated = await lintInline({
      "20240102000000_check": { up: check, ...drop },
      "20240103000000_validate": { up: 'ALTER TABLE "account" VALIDATE CONSTRAINT "team_set";\n', down: "SELECT 1;\n" },
      "20240104000000_not_null": setNotNull,
    });
    expect(validated.findings.filter((f) => f.rule === "not-null-without-backfill")).toEqual([]);
    const unvalidated = await lintInline({ "20240102000000_check": { up: check, ...drop }, "20240104000000_not_null": setNotNull });
    expect(brief({ findings: unvalidated.findings.filter((f) => f.rule === "not-null-without-backfill") })).toEqual(["not-null-without-backfill 20240104000000_not_null/migration.sql:1"]);
  });

  it("not-null-without-backfill: NOT NULL columns with a value for every row pass (DEFAULT, serial, identity); a new table is never existing", async () => {
    const result = await lintInline({
      "20240102000000_filled": {
        up: [
          'ALTER TABLE "account" ADD COLUMN "seq" BIGSERIAL NOT NULL;',
          'ALTER TABLE "account" ADD COLUMN "ident" BIGINT GENERATED ALWAYS AS IDENTITY;',
          'ALTER TABLE "account" ADD COLUMN "flag" BOOLEAN NOT NULL DEFAULT false;',
          'CREATE TABLE "log" ("id" BIGSERIAL NOT NULL, CONSTRAINT "log_pkey" PRIMARY KEY ("id"));',
          'ALTER TABLE "log" ADD COLUMN "at" TIMESTAMPTZ NOT NULL;',
          'ALTER TABLE "log" ALTER COLUMN "at" SET NOT NULL;',
        ].join("\n"),
        down: 'DROP TABLE "log";\nALTER TABLE "account" DROP COLUMN "seq", DROP COLUMN "ident", DROP COLUMN "flag";\n',
      },
    });
    expect(result.findings.filter((f) => f.rule === "not-null-without-backfill")).toEqual([]);
  });

  it("foreign-key-not-valid: a column added with REFERENCES on an existing table; not a foreign key on a table the file creates", async () => {
    const result = await lintInline({
      "20240102000000_refs": {
        up: 'ALTER TABLE "account" ADD COLUMN "owner_id" BIGINT REFERENCES "team"("id");\nCREATE TABLE "member" ("team_id" BIGINT NOT NULL);\nALTER TABLE "member" ADD CONSTRAINT "member_team_id_fkey" FOREIGN KEY ("team_id") REFERENCES "team"("id");\n',
        down: 'DROP TABLE "member";\nALTER TABLE "account" DROP COLUMN "owner_id";\n',
      },
    });
    expect(brief({ findings: result.findings.filter((f) => f.rule === "foreign-key-not-valid") })).toEqual(["foreign-key-not-valid 20240102000000_refs/migration.sql:1"]);
  });

  it("index-not-concurrent: an index on a table created earlier in the same file, even renamed since, is fine", async () => {
    const result = await lintInline({
      "20240102000000_new_table": {
        up: 'CREATE TABLE "draft" ("id" BIGSERIAL NOT NULL, "title" TEXT);\nALTER TABLE "draft" RENAME TO "note";\nCREATE UNIQUE INDEX "note_title_key" ON "note"("title");\n',
        down: 'DROP TABLE "note";\n',
      },
    });
    expect(result.findings.filter((f) => f.rule === "index-not-concurrent")).toEqual([]);
  });

  it("rewriting-type-change: follows renames and earlier type changes; an unknown old type is a warning", async () => {
    const result = await lintInline({
      "20240102000000_widen": { up: 'ALTER TABLE "account" RENAME COLUMN "email" TO "mail";\nALTER TABLE "account" ALTER COLUMN "mail" TYPE VARCHAR(80);\n', down: 'ALTER TABLE "account" RENAME COLUMN "mail" TO "email";\n' },
      "20240103000000_narrow": { up: 'ALTER TABLE "account" ALTER COLUMN "mail" TYPE VARCHAR(60);\n', down: "SELECT 1;\n" },
      "20240104000000_unknown": { up: 'ALTER TABLE "elsewhere" ALTER COLUMN "x" TYPE BIGINT;\n', down: "SELECT 1;\n" },
    });
    const changes = result.findings.filter((f) => f.rule === "rewriting-type-change");
    expect(changes.map((f) => [f.file, f.severity])).toEqual([
      ["20240103000000_narrow/migration.sql", "error"],
      ["20240104000000_unknown/migration.sql", "warning"],
    ]);
    expect(changes[0]?.message).toContain("from varchar(80) to varchar(60)");
  });

  it("dropped-still-in-schema: also a dropped table the last release still maps; skipped with a note without a ref", async () => {
    const previousSchema = { ref: "origin/main", text: 'model Team {\n  id BigInt @id\n  @@map("team")\n}\n' };
    const migration = { "20240102000000_drop_team": { up: 'DROP TABLE "team";\n', down: 'CREATE TABLE "team" ("id" BIGSERIAL NOT NULL);\n' } };
    const withRef = await lintInline(migration, { previousSchema });
    expect(withRef.findings.filter((f) => f.rule === "dropped-still-in-schema")).toMatchObject([{ line: 1, message: expect.stringContaining("origin/main still has it (model Team)") }]);
    const withoutRef = await lintInline(migration);
    expect(withoutRef.findings.filter((f) => f.rule === "dropped-still-in-schema")).toEqual([]);
    expect(withoutRef.notes).toEqual([expect.stringContaining("dropped-still-in-schema skipped")]);
  });

  it("down-drops-derived-data: rows copied into a new table by INSERT … SELECT", async () => {
    const result = await lintInline({
      "20240102000000_archive": {
        up: 'CREATE TABLE "old_account" ("id" BIGINT, "email" TEXT);\nINSERT INTO "old_account" SELECT "id", "email" FROM "account" WHERE "visits" = 0;\n',
        down: 'DROP TABLE "old_account";\n',
      },
    });
    expect(brief({ findings: result.findings.filter((f) => f.rule === "down-drops-derived-data") })).toEqual(["down-drops-derived-data 20240102000000_archive/down.sql:1"]);
  });

  it("down-drops-derived-data: a constant backfill is not derived data", async () => {
    const result = await lintInline({
      "20240102000000_plan": { up: 'ALTER TABLE "account" ADD COLUMN "plan" TEXT;\nUPDATE "account" SET "plan" = \'free\';\n', down: 'ALTER TABLE "account" DROP COLUMN "plan";\n' },
    });
    expect(result.findings.filter((f) => f.rule === "down-drops-derived-data")).toEqual([]);
  });

  it("syntax-error: a file PostgreSQL cannot parse is an error at its line, and the rules skip it", async () => {
    const result = await lintInline({ "20240102000000_typo": { up: 'ALTER TABLE "account"\n  ADD COLUM "x" TEXT;\n', down: "SELECT 1;\n" } });
    expect(result.findings.filter((f) => f.source === "migrator")).toMatchObject([{ rule: "syntax-error", severity: "error", file: "20240102000000_typo/migration.sql", line: 2 }]);
  });

  it("lints only the migrations asked for, and refuses a name the folder lacks", async () => {
    const result = await lintInline({ "20240102000000_a": { up: "SELECT 1;\n" } }, { names: ["20240101000000_base"] });
    expect(result.migrations).toEqual(["20240101000000_base"]);
    expect(result.errors).toBe(0);
    await expect(lintInline({}, { names: ["nope"] })).rejects.toMatchObject({ code: "UNKNOWN_MIGRATION" });
  });
});
