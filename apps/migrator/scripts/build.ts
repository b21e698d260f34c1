// `pnpm build`: the migrator as a container image runs it, dist/main.js and its chunks, bundled by
// esbuild, with the schema migrations copied and the data migrations compiled to dist/db (where the
// bundle's @repo/db/paths points, so `migrator deploy` needs no flags there). bench:deploy measures
// this same build; docker/scripts/bundle.ts adds the runtime node_modules for an image.
import { cp, mkdir, rm } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { build, type Metafile } from "esbuild";
import { compileDataMigrations } from "./data-migrations.ts";

const appDir = fileURLToPath(new URL("..", import.meta.url));

/**
 * Left out of the bundle and loaded from node_modules: libpg-query (its WebAssembly is read from its
 * package folder; the production bundle ships it, see docker/scripts/bundle.ts), tsx (compiles a
 * TypeScript data migration on the fly in the workspace only: this build ships them compiled), and
 * pg's optional native driver. The embedded development server and the schema-push bridge are
 * workspace tooling: left out, so an image (which has neither) never starts one and asks for
 * DATABASE_URL. Everything else, pg and the Prisma client included, is bundled: fewer files to
 * resolve and read at start (importing pg from node_modules costs ~10 ms more than from the bundle).
 */
export const EXTERNAL = ["libpg-query", "tsx", "tsx/*", "pg-native", "@repo/dev-postgres", "@repo/prisma-engine"];

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

/** Bundles apps/migrator/src/main.ts into `outDir`/main.js and returns that path. */
export async function buildMigrator(options: BuildOptions = {}): Promise<{ entry: string; metafile: Metafile }> {
  const outDir = options.outDir ?? path.join(appDir, "dist");
  await rm(outDir, { recursive: true, force: true });
  const { metafile } = await build({
    entryPoints: { main: path.join(appDir, "src/main.ts") },
    bundle: true,
    // Code splitting keeps what the source imports on demand (the parser's wrapper, the Prisma client
    // for data migrations, data-migration loading) in chunks loaded on first use: a single ESM file
    // would hoist their imports to the top and load them on every start.
    splitting: true,
    chunkNames: "chunks/[name]-[hash]",
    outdir: outDir,
    platform: "node",
    format: "esm",
    target: "node20.19",
    external: EXTERNAL,
    legalComments: "linked",
    metafile: true,
    logLevel: "warning",
    // CommonJS dependencies (commander, pg) call require() for Node's built-ins; an ESM bundle provides it.
    banner: { js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);" },
    plugins: [
      {
        name: "bundled-db-paths",
        setup(esbuild) {
          esbuild.onResolve({ filter: /^@repo\/db\/paths$/ }, () => ({ path: path.join(appDir, "src/bundle/db-paths.ts") }));
        },
      },
    ],
  });
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
  const bytes = Object.entries(metafile.outputs).filter(([file]) => file.endsWith(".js")).reduce((sum, [, output]) => sum + output.bytes, 0);
  process.stdout.write(`Built dist/main.js (${(bytes / 1024).toFixed(0)} KiB of JavaScript in ${Object.keys(metafile.outputs).filter((f) => f.endsWith(".js")).length} files) and dist/db in ${Math.round(performance.now() - started)} ms\n`);
}
