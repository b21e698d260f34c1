// The seed's "test rollbacks", for every migration in the repository: up → down → up leaves the
// catalog exactly as it was, one migration at a time. CI fails when a down.sql is missing or wrong.
import { createTestDatabase } from "@repo/dev-postgres";
import { down, getStatus, up } from "@repo/migrate";
import { describe, expect, inject, it, onTestFinished } from "vitest";
import { dataMigrationsDir, migrationsDir } from "../src/paths.ts";
import { migrationNames } from "../src/down-scripts.ts";
import { prismaClient, sqlOn } from "./helpers.ts";

/** Everything in the public schema a migration can change, as a comparable value. */
async function catalog(url: string): Promise<unknown> {
  const queries = {
    // Column order as a rank: a dropped and re-added column keeps its place in the order, though
    // PostgreSQL gives it a new attnum (ordinal_position).
    columns: `SELECT table_name, column_name, row_number() OVER (PARTITION BY table_name ORDER BY ordinal_position) AS position,
                     data_type, character_maximum_length, is_nullable, column_default
                FROM information_schema.columns WHERE table_schema = 'public' AND table_name NOT IN ('_prisma_migrations', '_data_migrations') ORDER BY 1, 2`,
    constraints: `SELECT conrelid::regclass::text AS on_table, conname, pg_get_constraintdef(oid) AS definition FROM pg_constraint
                    WHERE connamespace = 'public'::regnamespace AND conrelid::regclass::text NOT IN ('_prisma_migrations', '_data_migrations') ORDER BY 1, 2`,
    indexes: `SELECT tablename, indexname, indexdef FROM pg_indexes WHERE schemaname = 'public' AND tablename NOT IN ('_prisma_migrations', '_data_migrations') ORDER BY 1, 2`,
    types: `SELECT t.typname, t.typtype, array_agg(e.enumlabel ORDER BY e.enumsortorder) AS labels FROM pg_type t LEFT JOIN pg_enum e ON e.enumtypid = t.oid
              WHERE t.typnamespace = 'public'::regnamespace AND t.typtype IN ('e', 'd', 'c') AND t.typrelid = 0 GROUP BY 1, 2 ORDER BY 1`,
    sequences: `SELECT sequencename, data_type FROM pg_sequences WHERE schemaname = 'public' ORDER BY 1`,
    views: `SELECT viewname, definition FROM pg_views WHERE schemaname = 'public' ORDER BY 1`,
    functions: `SELECT p.proname, pg_get_function_identity_arguments(p.oid) AS args FROM pg_proc p WHERE p.pronamespace = 'public'::regnamespace ORDER BY 1, 2`,
  };
  const entries = await Promise.all(Object.entries(queries).map(async ([key, sql]) => [key, await sqlOn(url, sql)] as const));
  return Object.fromEntries(entries);
}

describe("every migration in packages/db rolls back cleanly", () => {
  it("has a down.sql (or down), and up → down → up restores the catalog exactly, one migration at a time", async () => {
    const db = await createTestDatabase(inject("serverUrl"), { prefix: "rollback_" });
    onTestFinished(() => db.drop());
    const options = { url: db.url, migrationsDir, dataMigrationsDir, dataClient: prismaClient };
    const names = (await getStatus(options)).timeline.map((entry) => entry.name);
    expect(names.length).toBeGreaterThan(await migrationNames(migrationsDir).then((n) => n.length));
    const irreversible = (await getStatus(options)).timeline.filter((m) => !m.reversible).map((m) => m.name);
    expect(irreversible, "migrations without a down.sql").toEqual([]);

    let before = await catalog(db.url);
    for (const name of names) {
      expect((await up(options, "+1")).steps.map((s) => [s.name, s.outcome])).toEqual([[name, "applied"]]);
      const after = await catalog(db.url);
      const rollback = await down(options, "-1");
      expect(rollback.ok, rollback.steps[0]?.error?.message).toBe(true);
      expect(await catalog(db.url), `${name}: down.sql does not restore the schema before it`).toEqual(before);
      expect((await up(options, "+1")).ok).toBe(true);
      expect(await catalog(db.url), `${name}: applying it again gives another schema`).toEqual(after);
      before = after;
    }
    expect((await getStatus(options)).atHead).toBe(true);
  });
});
