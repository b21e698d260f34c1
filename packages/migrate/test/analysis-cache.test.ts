// The analysis cache: a run whose scripts were analysed before does not parse them, the cached
// analyses are exactly the parser's, and anything wrong with the cache costs parsing, never a wrong
// plan or a hidden syntax error.
import { createHash } from "node:crypto";
import { readdirSync, readFileSync } from "node:fs";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import path from "node:path";
import { onTestFinished, describe, expect, it } from "vitest";
import { AnalysisCache, ANALYSIS_CACHE_FILE, ANALYSIS_VERSION, analyseScript, deploy, plan, type EngineOptions, type PlanStep } from "../src/index.ts";
import { project, schemaSnapshot, type Project } from "./helpers.ts";

async function tempDir(prefix: string): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), prefix));
  onTestFinished(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

/** Three migrations: a plain one, one with a header directive, one that must run statement by statement. */
async function writeMigrations(p: Project): Promise<string[]> {
  await p.write("20240101000000_users", "CREATE TABLE users (id serial PRIMARY KEY, email text NOT NULL);\n");
  await p.write("20240102000000_posts", "-- migrate: lock_timeout=3s\nCREATE TABLE posts (id serial PRIMARY KEY, user_id int REFERENCES users (id));\n");
  await p.write("20240103000000_index", "CREATE INDEX CONCURRENTLY users_email_idx ON users (email);\nCREATE INDEX CONCURRENTLY posts_user_idx ON posts (user_id);\n");
  return ["20240101000000_users", "20240102000000_posts", "20240103000000_index"];
}

const cacheEvent = (p: Project) => p.events.find((e) => e.fields?.event === "analysis_cache")?.fields;

/** What a plan step takes from its analysis, comparable across runs. */
const shape = (steps: PlanStep[]) =>
  steps.map((s) => (s.kind === "schema" ? { name: s.name, transactional: s.analysis.transactional, statements: s.analysis.statements.map((st) => st.sql), lockTimeoutMs: s.lockTimeoutMs } : s.name));

describe("analysis cache", () => {
  it("stores each script's analysis by its SHA-256; a deploy onto another empty database then parses nothing and runs the same plan", async () => {
    const dir = await tempDir("analyses-");
    const first = await project();
    await writeMigrations(first);
    const firstRun = await deploy({ ...first.options, analysisCache: { dir } });
    expect(firstRun.ok).toBe(true);
    expect(cacheEvent(first)).toMatchObject({ hits: 0, parsed: 3 });

    const stored = JSON.parse(await readFile(path.join(dir, ANALYSIS_CACHE_FILE), "utf8")) as { version: string; entries: Record<string, unknown> };
    expect(stored.version).toBe(ANALYSIS_VERSION);
    const scripts = readdirSync(first.dir).filter((name) => name.startsWith("2024")).map((name) => readFileSync(path.join(first.dir, name, "migration.sql"), "utf8"));
    expect(Object.keys(stored.entries).sort()).toEqual(scripts.map((s) => createHash("sha256").update(s).digest("hex")).sort());

    const second = await project();
    const secondRun = await deploy({ ...second.options, migrationsDir: first.dir, analysisCache: { dir } });
    expect(secondRun.ok).toBe(true);
    expect(cacheEvent(second)).toMatchObject({ hits: 3, parsed: 0 });
    expect(shape(secondRun.plan.steps)).toEqual(shape(firstRun.plan.steps));
    expect(secondRun.steps.map((s) => s.mode)).toEqual(["transaction", "transaction", "statements"]);
    expect(shape(secondRun.plan.steps)[1]).toMatchObject({ lockTimeoutMs: 3000 });
    expect(await schemaSnapshot(second.url)).toEqual(await schemaSnapshot(first.url));
  });

  it("a cached analysis equals the parser's, for every migration in the repository and a script of every kind", async () => {
    const dir = await tempDir("analyses-");
    const repoMigrations = path.resolve(import.meta.dirname, "../../db/migrations");
    const scripts = readdirSync(repoMigrations, { withFileTypes: true })
      .filter((entry) => entry.isDirectory())
      .flatMap((entry) => ["migration.sql", "down.sql"].map((file) => path.join(repoMigrations, entry.name, file)))
      .filter((file) => { try { readFileSync(file); return true; } catch { return false; } })
      .map((file) => readFileSync(file, "utf8"));
    scripts.push(
      "-- migrate: transaction=false\nVACUUM ANALYZE users;\n",
      "ALTER TYPE mood ADD VALUE 'ok';\n",
      "-- migrate: statement_timeout=1min\nCREATE UNIQUE INDEX CONCURRENTLY \"Users_Email\" ON app.users (lower(email));\nDROP INDEX CONCURRENTLY old_idx;\n",
      "-- only a comment\n",
      "",
    );
    expect(scripts.length).toBeGreaterThan(15);
    const writer = new AnalysisCache({ dir });
    const fresh = [];
    for (const [i, script] of scripts.entries()) fresh.push(await analyseScript(script, `script ${i}`, writer));
    expect(writer.stats).toMatchObject({ hits: 0, parsed: scripts.length });
    expect(await writer.save()).toBeUndefined();

    const reader = new AnalysisCache({ dir });
    for (const [i, script] of scripts.entries()) expect(reader.get(script)).toEqual(fresh[i]);
    expect(reader.stats.hits).toBe(scripts.length);
  });

  it("writes the entries this run used or added last, so the size cap drops the ones unused longest", async () => {
    const dir = await tempDir("analyses-");
    const scripts = ["CREATE TABLE x (id int);\n", "CREATE TABLE a (id int);\n", "CREATE TABLE b (id int);\n"];
    const key = (script: string) => createHash("sha256").update(script).digest("hex");
    const first = new AnalysisCache({ dir });
    for (const script of scripts.slice(0, 2)) await analyseScript(script, "f", first);
    await first.save();
    const second = new AnalysisCache({ dir });
    expect(second.get(scripts[0] as string)).toBeDefined(); // x: read in this run, so now after a
    await analyseScript(scripts[2] as string, "f", second); // b: added
    expect(await second.save()).toBeUndefined();
    const stored = JSON.parse(await readFile(path.join(dir, ANALYSIS_CACHE_FILE), "utf8")) as { entries: Record<string, unknown> };
    expect(Object.keys(stored.entries)).toEqual([scripts[1], scripts[0], scripts[2]].map((script) => key(script as string)));
  });

  it("an edited script misses the cache and its syntax error is reported, though its old version is cached", async () => {
    const dir = await tempDir("analyses-");
    const first = await project();
    await writeMigrations(first);
    expect((await deploy({ ...first.options, analysisCache: { dir } })).ok).toBe(true);

    const second = await project();
    await writeMigrations(second);
    await second.write("20240102000000_posts", "-- migrate: lock_timeout=3s\nCREATE TABLE posts (id serial PRIMARY KEY,, user_id int);\n");
    await expect(deploy({ ...second.options, analysisCache: { dir } })).rejects.toMatchObject({ code: "SQL_SYNTAX", message: expect.stringContaining("20240102000000_posts/migration.sql:2:") });
    expect(await second.sql("SELECT count(*)::int AS n FROM pg_tables WHERE tablename IN ('users', 'posts')")).toEqual([{ n: 0 }]);
  });

  it("a corrupt file, another version's file or a tampered entry is ignored: the scripts are parsed again and the file rewritten", async () => {
    const dir = await tempDir("analyses-");
    const file = path.join(dir, ANALYSIS_CACHE_FILE);
    const seed = await project();
    const names = await writeMigrations(seed);
    const scriptOf = (name: string) => readFileSync(path.join(seed.dir, name, "migration.sql"), "utf8");
    const keyOf = (name: string) => createHash("sha256").update(scriptOf(name)).digest("hex");
    const good = new AnalysisCache({ dir });
    for (const name of names) await analyseScript(scriptOf(name), name, good);
    await good.save();
    const valid = JSON.parse(await readFile(file, "utf8")) as { version: string; entries: Record<string, { transactional: unknown }> };

    const cases: [string, string, number][] = [
      ["not JSON", "{ this is not json", 3],
      ["another version", JSON.stringify({ ...valid, version: "0/libpg-query@1.0.0" }), 3],
      // The concurrent-index migration claims it can run in a transaction, as a string: not a plausible analysis.
      ["tampered entry", JSON.stringify({ ...valid, entries: { ...valid.entries, [keyOf(names[2] as string)]: { ...valid.entries[keyOf(names[2] as string)], transactional: "yes" } } }), 1],
    ];
    for (const [label, text, parsed] of cases) {
      await writeFile(file, text);
      const p = await project();
      const result = await deploy({ ...p.options, migrationsDir: seed.dir, analysisCache: { dir } });
      expect(result.ok, label).toBe(true);
      expect(result.steps.map((s) => s.mode), label).toEqual(["transaction", "transaction", "statements"]);
      expect(cacheEvent(p), label).toMatchObject({ parsed, hits: 3 - parsed });
      if (label !== "tampered entry") expect((cacheEvent(p)?.problems as string[]).join("\n"), label).toContain(file);
      const rewritten = JSON.parse(await readFile(file, "utf8")) as { version: string; entries: Record<string, unknown> };
      expect(rewritten.version, label).toBe(ANALYSIS_VERSION);
      expect(rewritten.entries[keyOf(names[2] as string)], label).toEqual(valid.entries[keyOf(names[2] as string)]);
    }
  });

  it("a cache folder that cannot be written costs the parsing only; the run succeeds and says why nothing was saved", async () => {
    const parent = await tempDir("analyses-");
    await writeFile(path.join(parent, "a-file"), "");
    const p = await project();
    await writeMigrations(p);
    const result = await deploy({ ...p.options, analysisCache: { dir: path.join(parent, "a-file", "cache") } });
    expect(result.ok).toBe(true);
    expect(cacheEvent(p)).toMatchObject({ hits: 0, parsed: 3 });
    expect((cacheEvent(p)?.problems as string[]).join("\n")).toMatch(/ENOTDIR|EEXIST/);
  });

  it("a shipped analyses file (a production bundle's) is read and never written; plan uses it too", async () => {
    const shippedDir = await tempDir("shipped-");
    const shipped = path.join(shippedDir, "analyses.json");
    const seed = await project();
    const names = await writeMigrations(seed);
    // Written as a production build writes it: a cache folder of its own, then read-only.
    const writer = new AnalysisCache({ dir: shippedDir });
    for (const name of names) await analyseScript(readFileSync(path.join(seed.dir, name, "migration.sql"), "utf8"), name, writer);
    expect(await writer.save()).toBeUndefined();
    const before = await readFile(shipped, "utf8");

    const options: EngineOptions = { ...seed.options, analysisCache: { shipped } };
    const planned = await plan(options, "up");
    expect(planned.steps.map((s) => s.name)).toEqual(names);
    expect(cacheEvent(seed)).toMatchObject({ hits: 3, parsed: 0, sources: [shipped] });
    expect((await deploy(options)).ok).toBe(true);
    expect(await readFile(shipped, "utf8")).toBe(before);
  });

  it("ANALYSIS_VERSION names the installed parser, and changes with the analysis code (update both constants below when it changes)", () => {
    const require = createRequire(import.meta.url);
    const parserVersion = (JSON.parse(readFileSync(require.resolve("libpg-query/package.json"), "utf8")) as { version: string }).version;
    expect(ANALYSIS_VERSION).toContain(`libpg-query@${parserVersion}`);
    // Everything an analysis is computed by. A change here may change analyses: bump the number in
    // ANALYSIS_VERSION (src/runtime/analysis-cache.ts) so no run trusts analyses of the old code, then
    // set ANALYSIS_SOURCES_SHA256 to the value this test prints.
    const src = path.resolve(import.meta.dirname, "../src");
    const files = [...readdirSync(path.join(src, "sql")).filter((f) => f.endsWith(".ts") && !f.endsWith(".test.ts")).map((f) => `sql/${f}`), "runtime/analyse.ts"].sort();
    const hash = createHash("sha256");
    for (const file of files) hash.update(`${file}\n`).update(readFileSync(path.join(src, file)));
    const ANALYSIS_SOURCES_SHA256 = "4354876cd5503071066c5820a7d778a2bd213c6cab29ceb3c0c3d7fd87230b04";
    expect({ version: ANALYSIS_VERSION, sources: hash.digest("hex") }).toEqual({ version: "1/libpg-query@18.1.5", sources: ANALYSIS_SOURCES_SHA256 });
  });
});
