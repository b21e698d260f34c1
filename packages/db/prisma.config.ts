// Prisma CLI configuration for @repo/db. DATABASE_URL is set by `pnpm db:*` (the embedded server when
// you have not set one). It may be empty for commands that need no database, such as `generate`.
import { defineConfig } from "prisma/config";

export default defineConfig({
  schema: "schema.prisma",
  migrations: { path: "migrations" },
  datasource: {
    url: process.env.DATABASE_URL ?? "",
    ...(process.env.SHADOW_DATABASE_URL ? { shadowDatabaseUrl: process.env.SHADOW_DATABASE_URL } : {}),
  },
});
