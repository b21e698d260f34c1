// @repo/db: the schema, its migrations and the client factory.
export { createDb, Prisma, PrismaClient, type CreateDbOptions } from "./client.ts";
export { dataMigrationsDir, migrationsDir, packageDir, schemaPath } from "./paths.ts";
