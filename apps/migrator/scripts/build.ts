// `pnpm build`: the migrator as a container image runs it, bundled by esbuild into dist/, with the
// schema migrations copied and the data migrations compiled to dist/db (where the bundle's
// @repo/db/paths points, so `migrator deploy` needs no flags there). bench:deploy measures this same
// build; docker/scripts/bundle.ts adds the runtime node_modules for an image.
//
// dist/migrator.cjs  the CLI, engine, pg and commander in one CommonJS file
// dist/main.js       the entry: runs migrator.cjs from V8's code cache (src/bundle/loader.ts)
// dist/migrator-<hash>-v8-<version>.code-cache   that cache, made by a run at build time
// dist/chunks/       the Prisma client data migrations get (ESM), loaded only by a run that needs it
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { cp, mkdir, mkdtemp, readdir, readFile, rename, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { build, type BuildOptions as EsbuildOptions, type Metafile } from "esbuild";
import { compileDataMigrations } from "./data-migrations.ts";

const appDir = fileURLToPath(new URL("..", import.meta.url));

/**
 * Left out of the bundle and loaded from node_modules: libpg-query (its WebAssembly is read from its
 * package folder; the production bundle ships it, see docker/scripts/bundle.ts), tsx (compiles a
 * TypeScript data migration on the fly in the workspace only: this build ships them compiled), and
 * pg's optional native driver. The schema-push bridge is workspace tooling, left out. Everything else,
 * pg included, is bundled: fewer files to resolve and read at start (importing pg from node_modules
 * costs ~10 ms more than from the bundle). The Prisma client is built as a chunk of its own.
 */
export const EXTERNAL = ["libpg-query", "tsx", "tsx/*", "pg-native", "@repo/prisma-engine"];

/**
 * Workspace tooling the source imports on demand and a production build never has, wherever it runs:
 * the embedded development server. Importing it rejects, so the built migrator asks for DATABASE_URL.
 */
const WORKSPACE_ONLY = /^@repo\/dev-postgres$/;

export interface BuildOptions {
  /** Where to write main.js, chunks/ and db/ (default: apps/migrator/dist). Emptied first. */
  outDir?: string;
  /** Copy the schema migrations and compile the data migrations to `outDir`/db (default true). */
  copyMigrations?: boolean;
}

/** Analyses every migration.sql and down.sql of `migrationsDir` into `dir`/analyses.json (a bad script stops the build). */
async function writeBundledAnalyses(migrationsDir: string, dir: string): Promise<void> {
  const { AnalysisCache, analyseScript, readLocalMigrations } = await import("@repo/migrate");
  const cache = new AnalysisCache({ dir });
  for (const migration of await readLocalMigrations(migrationsDir)) {
    for (const [script, name] of [[migration.upSql, "migration.sql"], [migration.downSql, "down.sql"]] as const) {
      if (script !== undefined) await analyseScript(script, `${migration.name}/${name}`, cache);
    }
  }
  const problem = await cache.save();
  if (problem) throw new Error(`Could not write the bundle's analyses: ${problem}`);
}

// absWorkingDir: package names resolve from this app, whoever runs the build (docker/scripts/bundle.ts).
const COMMON: EsbuildOptions = { absWorkingDir: appDir, bundle: true, platform: "node", target: "node20.19", legalComments: "linked", metafile: true, logLevel: "warning" };

/**
 * Runs the built migrator once, with a cache folder of its own, and keeps the compiled code it saves at
 * exit beside the bundle: the image's cache (its root file system is read-only). A status against a
 * closed port runs the start-up, the configuration, pg's connect and the error report: the code every
 * command runs. The run's exit code does not matter; the cache file must exist.
 */
async function writeShippedCodeCache(outDir: string): Promise<string> {
  const scratch = await mkdtemp(path.join(tmpdir(), "migrator-code-cache-"));
  try {
    // Without NODE_OPTIONS: V8 refuses a cache made under other flags.
    const { NODE_OPTIONS: _flags, DATABASE_URL: _url, ...env } = process.env;
    const run = spawnSync(process.execPath, [path.join(outDir, "main.js"), "--json", "status", "--url", "postgresql://127.0.0.1:1/build?connect_timeout=2"], {
      env: { ...env, MIGRATOR_CACHE_DIR: scratch },
      encoding: "utf8",
      timeout: 30_000,
    });
    const [file] = (await readdir(scratch)).filter((name) => name.endsWith(".code-cache"));
    if (!file) throw new Error(`The built migrator saved no code cache (exit ${run.status}): ${run.stderr || run.stdout || run.error?.message}`);
    await rename(path.join(scratch, file), path.join(outDir, file));
    return file;
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}

/** Bundles apps/migrator/src/main.ts into `outDir` (main.js, migrator.cjs, its code cache, chunks/) and returns main.js. */
export async function buildMigrator(options: BuildOptions = {}): Promise<{ entry: string; metafile: Metafile }> {
  const outDir = options.outDir ?? path.join(appDir, "dist");
  await rm(outDir, { recursive: true, force: true });
  const bundleFile = path.join(outDir, "migrator.cjs");
  const migrator = await build({
    ...COMMON,
    entryPoints: [path.join(appDir, "src/main.ts")],
    // One CommonJS file, because V8's code cache (dist/main.js) serves a script, not ES modules. What
    // the source imports on demand (the linter) is in it, evaluated only when imported. The Prisma
    // client, ~5 MB with its query compiler, is a chunk of its own (@repo/db/paths' clientModule).
    // Nothing in it may call import(), which fails in code restored from the cache: modules outside
    // it are imported through @repo/migrate's dynamicImport (tested: test/code-cache.test.ts).
    outfile: bundleFile,
    format: "cjs",
    external: EXTERNAL,
    // import.meta.url (createRequire, the bundled @repo/db/paths) is the bundle's own URL.
    define: { "import.meta.url": "__bundleUrl" },
    banner: { js: 'const __bundleUrl = require("node:url").pathToFileURL(__filename).href;' },
    plugins: [
      {
        name: "bundled-db-paths",
        setup(esbuild) {
          esbuild.onResolve({ filter: /^@repo\/db\/paths$/ }, () => ({ path: path.join(appDir, "src/bundle/db-paths.ts") }));
        },
      },
      {
        name: "workspace-only",
        setup(esbuild) {
          esbuild.onResolve({ filter: WORKSPACE_ONLY }, (args) => ({ path: args.path, namespace: "workspace-only" }));
          esbuild.onLoad({ filter: /.*/, namespace: "workspace-only" }, (args) => ({
            contents: `throw Object.assign(new Error(${JSON.stringify(`${args.path} is workspace tooling: the production build has none`)}), { code: "ERR_MODULE_NOT_FOUND" });`,
            loader: "js",
          }));
        },
      },
    ],
  });
  const client = await build({
    ...COMMON,
    entryPoints: { "db-client": "@repo/db/client" },
    outdir: path.join(outDir, "chunks"),
    format: "esm",
    // The query compiler's WebAssembly stays a chunk of its own, loaded on the client's first query.
    splitting: true,
    chunkNames: "[name]-[hash]",
    outExtension: { ".js": ".mjs" },
    external: EXTERNAL,
    // CommonJS dependencies (pg) call require() for Node's built-ins; an ESM bundle provides it.
    banner: { js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);" },
  });
  const hash = createHash("sha256").update(await readFile(bundleFile)).digest("hex").slice(0, 16);
  const loader = await build({
    ...COMMON,
    entryPoints: [path.join(appDir, "src/bundle/loader.ts")],
    outfile: path.join(outDir, "main.js"),
    format: "cjs",
    define: { BUNDLE_HASH: JSON.stringify(hash) },
  });
  // dist/*.js are CommonJS, whatever the package.json above them says.
  await writeFile(path.join(outDir, "package.json"), `${JSON.stringify({ type: "commonjs" })}\n`);
  await writeShippedCodeCache(outDir);
  const metafile: Metafile = {
    inputs: { ...migrator.metafile?.inputs, ...client.metafile?.inputs, ...loader.metafile?.inputs },
    outputs: { ...migrator.metafile?.outputs, ...client.metafile?.outputs, ...loader.metafile?.outputs },
  };
  if (options.copyMigrations !== false) {
    const { migrationsDir, dataMigrationsDir } = await import("@repo/db/paths");
    await mkdir(path.join(outDir, "db"), { recursive: true });
    await cp(migrationsDir, path.join(outDir, "db/migrations"), { recursive: true });
    // Compiled to .mjs with a manifest.json (source checksums): the bundle runs them without tsx.
    await compileDataMigrations(dataMigrationsDir, path.join(outDir, "db/data-migrations"));
    // Every script's analysis, so the bundle never loads the SQL parser to deploy its own migrations.
    await writeBundledAnalyses(migrationsDir, path.join(outDir, "db"));
  }
  return { entry: path.join(outDir, "main.js"), metafile };
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const started = performance.now();
  const { metafile } = await buildMigrator();
  const scripts = Object.entries(metafile.outputs).filter(([file]) => /\.(c|m)?js$/.test(file));
  const bytes = scripts.reduce((sum, [, output]) => sum + output.bytes, 0);
  process.stdout.write(`Built dist/main.js (${(bytes / 1024).toFixed(0)} KiB of JavaScript in ${scripts.length} files, with its code cache) and dist/db in ${Math.round(performance.now() - started)} ms\n`);
}
