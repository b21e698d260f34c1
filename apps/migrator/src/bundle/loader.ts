// dist/main.js of a production build (scripts/build.ts): runs the bundled migrator (dist/migrator.cjs)
// from V8's code cache, so a start spends its time on the database rather than on compiling ~0.5 MB
// of JavaScript (a no-op deploy: ~120 → ~85 ms on the benchmark machine, `pnpm bench:deploy`).
//
// Node 20 has no compile cache of its own for applications (module.enableCompileCache is Node 22.1+),
// so this uses the API it is built on: vm.Script's `cachedData`. V8 checks a cache against its own
// version and flags and falls back to compiling when they differ; it checks the source only by its
// length, so every cache file is named after the bundle's SHA-256 (BUNDLE_HASH, set by the build).
//
// Where a cache is read from, first found first:
// - the user cache folder (MIGRATOR_CACHE_DIR, else $XDG_CACHE_HOME/migrator or ~/.cache/migrator;
//   `off`: none), written by an earlier run of this same bundle;
// - beside the bundle: the one the build wrote (the image's, whose root file system is read-only).
// When the user folder is on and holds no usable cache, this run writes one at exit (atomically).
//
// V8 trusts a cache's payload once the header matches: a damaged one crashes the process (tested:
// flipped bytes abort with "Fatal error"). So each file starts with the SHA-256 of its payload, and a
// file that does not match it is never given to V8 (~1 ms to check 300 KB).
import { createHash } from "node:crypto";
import { mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import vm from "node:vm";
import { IMPORT_HOOK } from "@repo/migrate/dynamic-import";
import { migratorCacheDir } from "../cache-dir.ts";
import { setCodeCacheReport } from "./code-cache-report.ts";

declare const BUNDLE_HASH: string;


const bundle = path.join(__dirname, "migrator.cjs");
const fileName = `migrator-${BUNDLE_HASH}-v8-${process.versions.v8}.code-cache`;
const userDir = migratorCacheDir();
const candidates = [...(userDir ? [{ source: "user" as const, file: path.join(userDir, fileName) }] : []), { source: "shipped" as const, file: path.join(__dirname, fileName) }];

const DIGEST_BYTES = 32;
const digestOf = (data: Uint8Array) => createHash("sha256").update(data).digest();

function readCache(): { source: "user" | "shipped"; data: Buffer } | undefined {
  for (const { source, file } of candidates) {
    let contents: Buffer;
    try {
      contents = readFileSync(file);
    } catch {
      continue; // absent or unreadable: the next one, else compile
    }
    const data = contents.subarray(DIGEST_BYTES);
    if (contents.length > DIGEST_BYTES && digestOf(data).equals(contents.subarray(0, DIGEST_BYTES))) return { source, data };
    // damaged or truncated: never given to V8; a user file is replaced at exit
  }
  return undefined;
}

/**
 * V8 refuses a cache made after its flags changed, even when changed back (the SQL parser's load sets
 * --liftoff-only around its WebAssembly compile). A one-character script's cache, made at start and
 * offered back at exit, tells whether that happened: then this run's cache would be refused, and the
 * next run without the parser writes one instead.
 */
function flagsWatch(): { changed(): boolean } {
  const probe = new vm.Script("0", { filename: "migrator:flags-probe" }).createCachedData();
  return { changed: () => new vm.Script("0", { filename: "migrator:flags-probe-at-exit", cachedData: probe }).cachedDataRejected === true };
}

function writeCache(script: vm.Script, dir: string): void {
  try {
    mkdirSync(dir, { recursive: true });
    const file = path.join(dir, fileName);
    const temporary = `${file}.${process.pid}-${Math.random().toString(36).slice(2)}.tmp`;
    const data = script.createCachedData();
    writeFileSync(temporary, Buffer.concat([digestOf(data), data]));
    renameSync(temporary, file); // atomic: a concurrent run reads the old file or the new one, whole
  } catch {
    // an unwritable folder costs only the compile, as without a cache
  }
}

// Code restored from a cache cannot call import() on Node 20 (V8 drops the script's import hook), so the
// bundle calls none: it imports what lies outside it (data migrations, the Prisma client's chunk, tsx,
// libpg-query) through @repo/migrate's dynamicImport, which uses this module's import() when present.
// Relative specifiers would resolve from dist/; the bundle passes absolute URLs and package names.
(globalThis as Record<symbol, unknown>)[IMPORT_HOOK] = (specifier: string) => import(specifier);

const cached = readCache();
const wrapped = `(function (exports, require, module, __filename, __dirname) {${readFileSync(bundle, "utf8")}\n})`;
const script = new vm.Script(wrapped, { filename: bundle, cachedData: cached?.data });
const outcome = !cached ? "none" : script.cachedDataRejected ? "rejected" : "accepted";
// A user cache that served this start stays; otherwise this run's compiled code becomes the user's.
const writes = userDir && !(cached?.source === "user" && outcome === "accepted") ? userDir : undefined;
if (writes) {
  const flags = flagsWatch();
  process.once("exit", () => {
    if (!flags.changed()) writeCache(script, writes);
  });
}
setCodeCacheReport({ source: cached?.source ?? null, outcome, writes: writes ? path.join(writes, fileName) : null });
const module = { exports: {} };
(script.runInThisContext() as (...args: unknown[]) => void).call(module.exports, module.exports, createRequire(bundle), module, bundle, __dirname);
