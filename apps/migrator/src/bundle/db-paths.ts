// Stands in for `@repo/db/paths` in the production bundle (scripts/build.ts): the migrations and
// data migrations are copied beside the bundle, in dist/db.
import { fileURLToPath } from "node:url";

// The bundle is dist/migrator.cjs: its import.meta.url (see scripts/build.ts) is in dist.
const dist = new URL("./", import.meta.url);
const at = (relative: string) => fileURLToPath(new URL(relative, dist));

export const migrationsDir = at("db/migrations");
export const dataMigrationsDir = at("db/data-migrations");
/** The analyses of db/migrations' scripts, written by the build (scripts/build.ts). */
export const analysesFile: string | undefined = at("db/analyses.json");
/** The Prisma client, built as a chunk of its own (scripts/build.ts). */
export const clientModule = new URL("chunks/db-client.mjs", dist).href;
