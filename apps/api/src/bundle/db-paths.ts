// Stands in for `@repo/db/paths` in the production bundle (scripts/build.ts): the schema and the
// migrations are copied beside the bundle, in dist/db.
import { fileURLToPath } from "node:url";

const at = (relative: string) => fileURLToPath(new URL(relative, import.meta.url));

export const schemaPath = at("./db/schema.prisma");
export const migrationsDir = at("./db/migrations");
export const dataMigrationsDir = at("./db/data-migrations");
