// `pnpm build`: the API as one ESM bundle, dist/main.js, for `pnpm start` and container images. The
// Prisma client (its query compiler inlined as base64) and every JavaScript dependency go in; the
// schema, migrations and data migrations are copied to dist/db, where the bundle's @repo/db/paths
// points, so /ready compares the database with exactly the migrations this build carries. Left out:
// development tooling loaded only on demand (the schema-push bridge, pretty logs) and optional native
// drivers.
import { cp, mkdir, rm } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { dataMigrationsDir, migrationsDir, schemaPath } from "@repo/db/paths";
import { build } from "esbuild";
import { SWAGGER_ASSETS } from "../src/docs/swagger-asset-files.ts";
import { swaggerAssetsDir } from "../src/docs/swagger-assets.ts";

const root = fileURLToPath(new URL("..", import.meta.url));

/** Loaded with `import()` only when needed; a production image does without them. */
export const EXTERNAL = ["@repo/prisma-engine", "pino-pretty", "pg-native", "libpg-query", "tsx", "tsx/*"];

export interface BuildOptions {
  /** Where to write main.js, db/ and swagger-ui/ (default: apps/api/dist). Emptied first. */
  outDir?: string;
}

/** Bundles apps/api/src/main.ts into `outDir`/main.js with what it reads beside it; returns the JavaScript's size. */
export async function buildApi(options: BuildOptions = {}): Promise<{ entry: string; bytes: number }> {
  const dist = options.outDir ?? path.join(root, "dist");
  await rm(dist, { recursive: true, force: true });
  const result = await build({
    entryPoints: [path.join(root, "src/main.ts")],
    outfile: path.join(dist, "main.js"),
    bundle: true,
    platform: "node",
    format: "esm",
    target: "node20.19",
    sourcemap: true,
    legalComments: "linked",
    external: EXTERNAL,
    metafile: true,
    logLevel: "warning",
    // CommonJS dependencies (pg, pino) call require() for Node's built-ins; an ESM bundle provides it.
    banner: { js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);" },
    plugins: [
      {
        name: "bundled-db-paths",
        setup(esbuild) {
          esbuild.onResolve({ filter: /^@repo\/db\/paths$/ }, () => ({ path: path.join(root, "src/bundle/db-paths.ts") }));
        },
      },
      {
        name: "bundled-swagger-assets",
        setup(esbuild) {
          esbuild.onResolve({ filter: /\/docs\/swagger-assets\.ts$/ }, () => ({ path: path.join(root, "src/bundle/swagger-assets.ts") }));
        },
      },
    ],
  });

  await mkdir(path.join(dist, "db"), { recursive: true });
  await cp(schemaPath, path.join(dist, "db/schema.prisma"));
  await cp(migrationsDir, path.join(dist, "db/migrations"), { recursive: true });
  // /ready only reads them (names, anchors, source checksums) and never runs them: the sources will do.
  await cp(dataMigrationsDir, path.join(dist, "db/data-migrations"), { recursive: true });
  // Swagger UI's script and stylesheet, served by /docs (see src/routes/docs.ts).
  await mkdir(path.join(dist, "swagger-ui"), { recursive: true });
  for (const file of Object.keys(SWAGGER_ASSETS)) await cp(path.join(swaggerAssetsDir, file), path.join(dist, "swagger-ui", file));

  const bytes = Object.values(result.metafile.outputs).reduce((sum, output) => sum + output.bytes, 0);
  return { entry: path.join(dist, "main.js"), bytes };
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const started = performance.now();
  const { bytes } = await buildApi();
  process.stdout.write(`Built dist/main.js (${(bytes / 1024 / 1024).toFixed(1)} MiB with source map) and dist/db in ${Math.round(performance.now() - started)} ms\n`);
}
