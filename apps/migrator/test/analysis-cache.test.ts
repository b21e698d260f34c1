// Where the CLI keeps its analyses of migration scripts: MIGRATOR_CACHE_DIR, `off`, or the XDG cache
// folder; a second deploy of the same scripts parses nothing.
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { cleanEnv, jsonEvent, output, project, tempDir, type Project } from "./helpers.ts";

async function withMigrations(): Promise<Project> {
  const p = await project();
  await p.write("20240101000000_users", "CREATE TABLE users (id serial PRIMARY KEY, email text NOT NULL);\n");
  await p.write("20240102000000_index", "CREATE INDEX CONCURRENTLY users_email_idx ON users (email);\n");
  return p;
}

/** The analysis_cache event of a --json run, if it printed one. */
const cacheEvent = (stdout: string) => jsonEvent(stdout, "analysis_cache");

describe("analysis cache (CLI)", () => {
  it("MIGRATOR_CACHE_DIR keeps the analyses: a deploy of the same scripts onto another database parses none", async () => {
    const cache = await tempDir("migrator-cache-");
    const env = cleanEnv({ MIGRATOR_CACHE_DIR: cache });
    const first = await withMigrations();
    const run1 = await first.run(["--json", "deploy"], { env });
    expect(run1.code, output(run1)).toBe(0);
    expect(cacheEvent(run1.stdout)).toMatchObject({ hits: 0, parsed: 2 });
    expect(existsSync(path.join(cache, "analyses.json"))).toBe(true);

    const second = await withMigrations();
    const run2 = await second.run(["--json", "deploy"], { env });
    expect(run2.code, output(run2)).toBe(0);
    expect(cacheEvent(run2.stdout)).toMatchObject({ hits: 2, parsed: 0 });
    expect(await second.tables()).toEqual(["users"]);
    expect(await second.sql("SELECT indexname FROM pg_indexes WHERE indexname = 'users_email_idx'")).toHaveLength(1);
  });

  it("without MIGRATOR_CACHE_DIR the analyses go to $XDG_CACHE_HOME/migrator; MIGRATOR_CACHE_DIR=off keeps none", async () => {
    const xdg = await tempDir("migrator-cache-");
    const p = await withMigrations();
    const run = await p.run(["--json", "deploy"], { env: cleanEnv({ XDG_CACHE_HOME: xdg, MIGRATOR_CACHE_DIR: undefined }) });
    expect(run.code, output(run)).toBe(0);
    const stored = JSON.parse(readFileSync(path.join(xdg, "migrator", "analyses.json"), "utf8")) as { entries: object };
    expect(Object.keys(stored.entries)).toHaveLength(2);

    const off = await tempDir("migrator-cache-");
    const q = await withMigrations();
    const runOff = await q.run(["--json", "deploy"], { env: cleanEnv({ XDG_CACHE_HOME: off, MIGRATOR_CACHE_DIR: "off" }) });
    expect(runOff.code, output(runOff)).toBe(0);
    expect(cacheEvent(runOff.stdout)).toBeUndefined();
    expect(existsSync(path.join(off, "migrator"))).toBe(false);
    expect(await q.tables()).toEqual(["users"]);
  });
});
