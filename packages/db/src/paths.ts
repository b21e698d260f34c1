// Where @repo/db keeps its Prisma schema, migrations and data migrations, for tools that read them.
import { fileURLToPath } from "node:url";

const at = (relative: string) => fileURLToPath(new URL(relative, import.meta.url));

/** The package folder (holds prisma.config.ts). */
export const packageDir = at("..");
/** The Prisma schema. */
export const schemaPath = at("../schema.prisma");
/** Prisma migrations: one folder per migration, each with `migration.sql`. */
export const migrationsDir = at("../migrations");
/** Data-migration scripts, run after the schema migrations of their release. */
export const dataMigrationsDir = at("../data-migrations");
/**
 * Precomputed analyses of the migrations' SQL (`@repo/migrate`'s analysis cache), read-only. Only the
 * migrator's production bundle ships one (its own stand-in for this module points at it); in the
 * workspace the migrator keeps its analyses in the user's cache folder instead.
 */
export const analysesFile: string | undefined = undefined;
/**
 * The Prisma client module (`@repo/db/client`) as a URL, for code that imports it only when needed
 * (the migrator's client for data migrations). The production bundle points it at its own chunk.
 */
export const clientModule = new URL("./client.ts", import.meta.url).href;
