// The production build's compiled-code cache (src/bundle/loader.ts): the build ships one, a user cache
// folder gets its own, a damaged or foreign file is never given to V8, and the bundle imports modules
// outside it without import() (which fails in code restored from a cache).
import { createHash } from "node:crypto";
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { mkdtemp, rm, symlink } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { buildMigrator } from "../scripts/build.ts";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cleanEnv, jsonEvent, migrator, output, project, tempDir, type Project, type Run } from "./helpers.ts";

let buildDir: string;
let entry: string;

beforeAll(async () => {
  buildDir = await mkdtemp(path.join(tmpdir(), "migrator-build-"));
  // The build resolves libpg-query from node_modules above dist/, as in this app's folder or an image.
  await symlink(path.resolve(import.meta.dirname, "../node_modules"), path.join(buildDir, "node_modules"));
  // Without dist/db: the tests give their own migrations folder.
  ({ entry } = await buildMigrator({ outDir: path.join(buildDir, "dist"), copyMigrations: false }));
});

afterAll(() => rm(buildDir, { recursive: true, force: true }));

const dist = () => path.dirname(entry);

async function withMigration(): Promise<Project> {
  const p = await project();
  await p.write("20240101000000_users", "CREATE TABLE users (id serial PRIMARY KEY, email text NOT NULL);\n");
  return p;
}

/** `node dist/main.js --json <args>` of the test build, in project `p`. */
function built(p: Project, args: string[], env: Record<string, string | undefined>): Promise<Run> {
  return migrator([...p.flags(), "--json", ...args], { cwd: p.root, bin: entry, env: cleanEnv(env) });
}

const codeCacheEvent = (run: Run) => jsonEvent(run.stdout, "code_cache");

describe("the production build's code cache", () => {
  it("ships a cache named after the bundle's SHA-256 and V8's version, used as is with MIGRATOR_CACHE_DIR=off", async () => {
    const hash = createHash("sha256").update(readFileSync(path.join(dist(), "migrator.cjs"))).digest("hex").slice(0, 16);
    const shipped = readdirSync(dist()).filter((name) => name.endsWith(".code-cache"));
    expect(shipped).toEqual([`migrator-${hash}-v8-${process.versions.v8}.code-cache`]);

    const p = await withMigration();
    const run = await built(p, ["deploy"], { MIGRATOR_CACHE_DIR: "off" });
    expect(run.code, output(run)).toBe(0);
    expect(codeCacheEvent(run)).toEqual(expect.objectContaining({ source: "shipped", outcome: "accepted", writes: null }));
    expect(await p.tables()).toEqual(["users"]);
  });

  it("a cache folder gets a cache of its own from the first run, which later runs use without writing again", async () => {
    const cache = await tempDir("migrator-code-cache-");
    const p = await withMigration();
    const first = await built(p, ["status"], { MIGRATOR_CACHE_DIR: cache });
    expect(first.code, output(first)).toBe(0);
    const file = path.join(cache, readdirSync(dist()).find((name) => name.endsWith(".code-cache")) as string);
    expect(codeCacheEvent(first)).toEqual(expect.objectContaining({ source: "shipped", outcome: "accepted", writes: file }));
    expect(existsSync(file)).toBe(true);
    const written = statSync(file).mtimeMs;

    const second = await built(p, ["deploy"], { MIGRATOR_CACHE_DIR: cache });
    expect(second.code, output(second)).toBe(0);
    expect(codeCacheEvent(second)).toEqual(expect.objectContaining({ source: "user", outcome: "accepted", writes: null }));
    expect(await p.tables()).toEqual(["users"]);
    expect(statSync(file).mtimeMs).toBe(written);
    expect(readdirSync(cache).sort()).toEqual(["analyses.json", path.basename(file)]); // no temporary file left behind
  });

  it("a run that loads the SQL parser writes no cache (it changes V8's flags, so V8 would refuse it); the next run does", async () => {
    const cache = await tempDir("migrator-code-cache-");
    const p = await withMigration();
    const deploy = await built(p, ["deploy"], { MIGRATOR_CACHE_DIR: cache });
    expect(deploy.code, output(deploy)).toBe(0);
    expect(deploy.stdout).toContain('"parsed":1');
    expect(readdirSync(cache)).toEqual(["analyses.json"]);
    const status = await built(p, ["status"], { MIGRATOR_CACHE_DIR: cache });
    expect(codeCacheEvent(status)).toEqual(expect.objectContaining({ source: "shipped", writes: expect.stringContaining(cache) }));
    expect(codeCacheEvent(await built(p, ["status"], { MIGRATOR_CACHE_DIR: cache }))).toEqual(expect.objectContaining({ source: "user", outcome: "accepted" }));
  });

  it("a damaged cache file is never given to V8 (it would abort): the run succeeds and replaces it", async () => {
    const cache = await tempDir("migrator-code-cache-");
    const p = await withMigration();
    expect((await built(p, ["status"], { MIGRATOR_CACHE_DIR: cache })).code).toBe(0);
    const [name] = readdirSync(cache);
    const file = path.join(cache, name as string);
    const good = readFileSync(file);
    // Bytes flipped in the payload (a header V8 accepts): without the digest check V8 aborts the process.
    const flipped = Buffer.from(good);
    for (let i = 1_000; i < flipped.length; i += 997) flipped[i] = (flipped[i] as number) ^ 0xff;
    for (const damaged of [flipped, good.subarray(0, good.length >> 1), Buffer.alloc(0)]) {
      writeFileSync(file, damaged);
      const run = await built(p, ["status"], { MIGRATOR_CACHE_DIR: cache });
      expect(run.code, output(run)).toBe(0);
      expect(run.stdout).toContain("20240101000000_users");
      expect(codeCacheEvent(run)).toEqual(expect.objectContaining({ source: "shipped", outcome: "accepted", writes: file }));
      const again = await built(p, ["status"], { MIGRATOR_CACHE_DIR: cache });
      expect(codeCacheEvent(again)).toEqual(expect.objectContaining({ source: "user", outcome: "accepted" }));
    }
  });

  it("a cache V8 refuses (another Node's) is compiled around and replaced", async () => {
    const cache = await tempDir("migrator-code-cache-");
    const p = await withMigration();
    const name = readdirSync(dist()).find((n) => n.endsWith(".code-cache")) as string;
    // A well-formed file (its digest matches) whose payload is not V8's: V8 rejects it by its header.
    const payload = Buffer.from("not a V8 code cache, but a well-formed file of this format");
    writeFileSync(path.join(cache, name), Buffer.concat([createHash("sha256").update(payload).digest(), payload]));
    const rejected = await built(p, ["status"], { MIGRATOR_CACHE_DIR: cache });
    expect(rejected.code, output(rejected)).toBe(0);
    expect(codeCacheEvent(rejected)).toEqual(expect.objectContaining({ source: "user", outcome: "rejected", writes: path.join(cache, name) }));
    expect(codeCacheEvent(await built(p, ["status"], { MIGRATOR_CACHE_DIR: cache }))).toEqual(expect.objectContaining({ source: "user", outcome: "accepted" }));
  });

  it("an unusable cache folder costs only the compile", async () => {
    const parent = await tempDir("migrator-code-cache-");
    writeFileSync(path.join(parent, "a-file"), "");
    const p = await withMigration();
    const run = await built(p, ["deploy"], { MIGRATOR_CACHE_DIR: path.join(parent, "a-file", "cache") });
    expect(run.code, output(run)).toBe(0);
    expect(run.stderr).toBe("");
    expect(await p.tables()).toEqual(["users"]);
  });

  it("the bundle calls import() nowhere but in dynamicImport's fallback, which the loader's hook replaces", () => {
    // Code restored from a V8 cache cannot import() on Node 20: a call would fail only at run time,
    // and only in the paths that import (data migrations, the Prisma client, tsx, the linter).
    const source = readFileSync(path.join(dist(), "migrator.cjs"), "utf8");
    const calls = [...source.matchAll(/(?<![\w$.])import\s*\(/g)].map((match) => source.slice(match.index - 40, match.index + 30));
    expect(calls).toEqual([expect.stringContaining("hook ? hook(specifier) : import(specifier)")]);
  });
});
