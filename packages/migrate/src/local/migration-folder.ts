// Reads the migrations folder by Prisma's rules: every sub-folder is a migration, in name order, with
// its `migration.sql`; `migration_lock.toml` beside them names the provider. This engine adds an
// optional `down.sql` per migration: the SQL that undoes it.
import { readdir, readFile } from "node:fs/promises";
import path from "node:path";
import { MigrateError } from "../errors.ts";
import { checksumOf } from "./checksum.ts";

export interface LocalMigration {
  /** The folder name, e.g. `20240101120000_add_user_bio`. */
  name: string;
  dir: string;
  /** migration.sql as stored. */
  upSql: string;
  /** Prisma's checksum of migration.sql. */
  checksum: string;
  /** down.sql as stored, when the folder has one. */
  downSql?: string | undefined;
}

async function readOptional(file: string): Promise<string | undefined> {
  return readFile(file, "utf8").catch((error: NodeJS.ErrnoException) => {
    if (error.code === "ENOENT") return undefined;
    throw error;
  });
}

/**
 * Loads every migration in `dir`, in the order they apply. Throws when the folder is missing, when a
 * migration folder has no migration.sql, or when migration_lock.toml names another provider.
 */
export async function readLocalMigrations(dir: string): Promise<LocalMigration[]> {
  const entries = await readdir(dir, { withFileTypes: true }).catch((error: NodeJS.ErrnoException) => {
    if (error.code === "ENOENT") {
      throw new MigrateError("NO_MIGRATIONS_FOLDER", `The migrations folder ${dir} does not exist.`, "Pass --migrations <dir>, or create the first migration with `pnpm db:migrate dev --name init`.");
    }
    throw error;
  });
  const lock = await readOptional(path.join(dir, "migration_lock.toml"));
  const provider = lock && /^\s*provider\s*=\s*"([^"]*)"/m.exec(lock)?.[1];
  if (provider && provider !== "postgresql") {
    throw new MigrateError(
      "PROVIDER_MISMATCH",
      `migration_lock.toml says these migrations are for "${provider}"; this engine deploys PostgreSQL.`,
      "Point --migrations at the PostgreSQL migrations folder.",
    );
  }
  // Byte order, as Prisma's engine sorts (names start with a UTC timestamp).
  const names = entries.filter((entry) => entry.isDirectory()).map((entry) => entry.name).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  return Promise.all(
    names.map(async (name): Promise<LocalMigration> => {
      const folder = path.join(dir, name);
      const upSql = await readOptional(path.join(folder, "migration.sql"));
      if (upSql === undefined) {
        throw new MigrateError("MIGRATION_FILE_MISSING", `The migration folder ${folder} has no migration.sql.`, "Add the migration's SQL, or remove the folder.");
      }
      return { name, dir: folder, upSql, checksum: checksumOf(upSql), downSql: await readOptional(path.join(folder, "down.sql")) };
    }),
  );
}
