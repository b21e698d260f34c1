// Stands in for `@repo/db/paths` in the production bundle (scripts/build.ts): the migrations and
// data migrations are copied beside the bundle, in dist/db.
import { fileURLToPath } from "node:url";

// The bundle puts this module in dist/main.js or in a chunk under dist/chunks: find dist from either.
const dist = new URL(import.meta.url.includes("/chunks/") ? "../" : "./", import.meta.url);
const at = (relative: string) => fileURLToPath(new URL(relative, dist));

export const migrationsDir = at("db/migrations");
export const dataMigrationsDir = at("db/data-migrations");
/** The analyses of db/migrations' scripts, written by the build (scripts/build.ts). */
export const analysesFile: string | undefined = at("db/analyses.json");
