// The Prisma client factory: Prisma Client 7 on the `pg` driver adapter (no native query engine).
// Importing this module opens nothing; `createDb` creates a pool that connects on first use.
import { PrismaPg } from "@prisma/adapter-pg";
import { PrismaClient } from "./generated/prisma/client.ts";

export { Prisma, PrismaClient } from "./generated/prisma/client.ts";
export type * from "./generated/prisma/models.ts";

export interface CreateDbOptions {
  /** PostgreSQL connection URL. Parameters in the URL win over the options below. */
  url: string;
  /** Maximum connections in the pool (default 10). */
  poolSize?: number;
  /** Shown in pg_stat_activity, so a DBA can tell the API from the migrator (default "app"). */
  applicationName?: string;
}

/** A Prisma client on its own connection pool. Call `$disconnect()` to close the pool. */
export function createDb(options: CreateDbOptions): PrismaClient {
  const adapter = new PrismaPg({
    connectionString: options.url,
    max: options.poolSize ?? 10,
    application_name: options.applicationName ?? "app",
  });
  return new PrismaClient({ adapter });
}
