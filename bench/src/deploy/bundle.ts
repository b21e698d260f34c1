// The migrator as a production image would ship it: apps/migrator/src/main.ts bundled by esbuild, with
// the packages that must stay external linked beside the bundle so they resolve as in an image.
import { existsSync } from "node:fs";
import { mkdir, realpath, symlink } from "node:fs/promises";
import { builtinModules } from "node:module";
import path from "node:path";
import { build, type Metafile } from "esbuild";

// Native or WebAssembly payloads loaded from their own package folders, and esbuild (which finds its
// platform binary from its package folder; tsx uses it to load data migrations).
const EXTERNAL = ["pg", "libpg-query", "@prisma/*", "esbuild", "tsx"];

/** "@scope/name/sub/path" → "@scope/name"; "name/sub" → "name". */
function packageName(specifier: string): string {
  const parts = specifier.split("/");
  return (specifier.startsWith("@") ? parts.slice(0, 2) : parts.slice(0, 1)).join("/");
}

/** The folder Node would resolve `name` to from `dir`: the nearest node_modules/<name> up the tree. */
function findPackage(dir: string, name: string): string | undefined {
  for (let at = dir; ; at = path.dirname(at)) {
    const candidate = path.join(at, "node_modules", name);
    if (existsSync(candidate)) return candidate;
    if (path.dirname(at) === at) return undefined;
  }
}

/** Links node_modules/<package> in `dir` for every external package the bundle imports, resolved from its importer. */
async function linkExternals(metafile: Metafile, sourceRoot: string, dir: string): Promise<void> {
  const linked = new Set<string>();
  for (const [input, { imports }] of Object.entries(metafile.inputs)) {
    for (const { path: specifier, external } of imports) {
      if (!external || specifier.startsWith("node:") || specifier.startsWith("<") || builtinModules.includes(specifier)) continue;
      const name = packageName(specifier);
      if (linked.has(name)) continue;
      // An optional import that is absent here (esbuild's `pnpapi`) stays absent in the image too.
      const found = findPackage(path.dirname(path.resolve(sourceRoot, input)), name);
      if (!found) continue;
      linked.add(name);
      const link = path.join(dir, "node_modules", name);
      await mkdir(path.dirname(link), { recursive: true });
      await symlink(await realpath(found), link, "dir");
    }
  }
}

/**
 * Bundles `entry` into `dir`/migrator.mjs and returns that path. Code splitting keeps what the source
 * imports dynamically (the dev server, the Prisma client, the parser, data-migration loading) in
 * chunks loaded on first use, as in the source; a single-file ESM bundle would hoist their external
 * imports to the top and load them on every start.
 */
export async function bundleMigrator(entry: string, sourceRoot: string, dir: string): Promise<string> {
  await mkdir(dir, { recursive: true });
  const result = await build({
    absWorkingDir: sourceRoot,
    entryPoints: { migrator: entry },
    bundle: true,
    splitting: true,
    platform: "node",
    format: "esm",
    target: "node20",
    outdir: dir,
    outExtension: { ".js": ".mjs" },
    chunkNames: "chunks/[name]-[hash]",
    external: EXTERNAL,
    // commander is CommonJS: its require() calls need a real require in an ES module.
    banner: { js: 'import { createRequire as __createRequire } from "node:module"; const require = __createRequire(import.meta.url);' },
    metafile: true,
    logLevel: "error",
  });
  await linkExternals(result.metafile, sourceRoot, dir);
  return path.join(dir, "migrator.mjs");
}
