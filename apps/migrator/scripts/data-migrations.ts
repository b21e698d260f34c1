// Compiles the TypeScript data migrations to self-contained ES modules for the production bundle, so
// the migrator there runs them without tsx or esbuild. A manifest.json beside them records each one's
// name, file, anchor and the checksum of its TypeScript source: the checksum _data_migrations keeps is
// the source's, so a database deployed from the workspace and one deployed from an image agree.
import { mkdir, writeFile } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { readDataMigrations, type DataMigrationManifest } from "@repo/migrate";
import { build, type Plugin } from "esbuild";

const migrateDir = path.dirname(fileURLToPath(import.meta.resolve("@repo/migrate")));

/**
 * What a data migration imports from @repo/migrate (defineDataMigration, types) is a few lines; the
 * engine's modules have no side effects a migration relies on, so esbuild may drop every import they
 * make that the migration does not use (pg, the SQL parser): 2 KB per migration instead of 220 KB.
 */
const engineWithoutSideEffects: Plugin = {
  name: "engine-without-side-effects",
  setup(esbuild) {
    esbuild.onResolve({ filter: /.*/ }, async (args) => {
      const fromEngine = args.path === "@repo/migrate" || args.importer.startsWith(migrateDir + path.sep);
      if (!fromEngine || args.pluginData === "resolving") return undefined;
      const resolved = await esbuild.resolve(args.path, { kind: args.kind, importer: args.importer, resolveDir: args.resolveDir, pluginData: "resolving" });
      if (resolved.errors.length > 0 || resolved.external) return undefined;
      return { path: resolved.path, sideEffects: false };
    });
  },
};

/**
 * Compiles every data migration in `sourceDir` to `outDir`/<name>.mjs (imports bundled in; a
 * type-only import of the Prisma client disappears) and writes `outDir`/manifest.json. Returns the
 * manifest. Reads names, anchors and checksums with the migrator's own loader, so they cannot differ.
 */
export async function compileDataMigrations(sourceDir: string, outDir: string): Promise<DataMigrationManifest> {
  const sources = await readDataMigrations(sourceDir);
  await mkdir(outDir, { recursive: true });
  if (sources.length > 0) {
    await build({
      entryPoints: Object.fromEntries(sources.map((migration) => [migration.name, migration.file])),
      outdir: outDir,
      outExtension: { ".js": ".mjs" },
      bundle: true,
      platform: "node",
      format: "esm",
      target: "node20.19",
      legalComments: "none",
      plugins: [engineWithoutSideEffects],
      logLevel: "warning",
      // A CommonJS dependency a migration imports may call require() for Node's built-ins.
      banner: { js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);" },
    });
  }
  const manifest: DataMigrationManifest = {
    migrations: sources.map(({ name, checksum, anchor }) => ({ name, file: `${name}.mjs`, checksum, anchor })),
  };
  await writeFile(path.join(outDir, "manifest.json"), `${JSON.stringify(manifest, null, 2)}\n`);
  return manifest;
}
