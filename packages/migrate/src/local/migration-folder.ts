// Reads the migrations folder by Prisma's rules: every sub-folder is a migration, in name order, with
// its `migration.sql`; `migration_lock.toml` beside them names the provider. This engine adds an
// optional `down.sql` per migration: the SQL that undoes it.
import { existsSync, readdirSync, readFileSync, type Dirent } from "node:fs";
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

function readOptional(file: string, usuallyThere = false): string | undefined {
  // existsSync first for a file most folders lack (down.sql): a thrown ENOENT costs more than the
  // check. A file nearly always there (migration.sql) is just read.
  if (!usuallyThere && !existsSync(file)) return undefined;
  try {
    return readFileSync(file, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw error;
  }
}

/**
 * Loads every migration in `dir`, in the order they apply. Throws when the folder is missing, when a
 * migration folder has no migration.sql, or when migration_lock.toml names another provider.
 */
export function readLocalMigrations(dir: string): Promise<LocalMigration[]> {
  // A throw in the executor rejects the promise.
  return new Promise((resolve) => resolve(readLocalMigrationsSync(dir)));
}

/**
 * readLocalMigrations, synchronously. The files are small and a deploy reads hundreds of them:
 * blocking reads take about half the time of fs/promises' (open, stat, read, close, each a trip
 * through the thread pool), and the engine overlaps them with connecting to the server.
 */
export function readLocalMigrationsSync(dir: string): LocalMigration[] {
  let entries: Dirent[];
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") {
      throw new MigrateError("NO_MIGRATIONS_FOLDER", `The migrations folder ${dir} does not exist.`, "Pass --migrations <dir>, or create the first migration with `pnpm db:migrate dev --name init`.");
    }
    throw error;
  }
  const lock = readOptional(path.join(dir, "migration_lock.toml"));
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
  // Plain concatenation: path.join normalizes every path it builds, a measurable part of reading
  // hundreds of folders; `dir` is normalized once and a folder name has no separators.
  const base = path.resolve(dir);
  return names.map((name): LocalMigration => {
    const folder = `${base}${path.sep}${name}`;
    const upSql = readOptional(`${folder}${path.sep}migration.sql`, true);
    if (upSql === undefined) {
      throw new MigrateError("MIGRATION_FILE_MISSING", `The migration folder ${folder} has no migration.sql.`, "Add the migration's SQL, or remove the folder.");
    }
    return { name, dir: folder, upSql, checksum: checksumOf(upSql), downSql: readOptional(`${folder}${path.sep}down.sql`) };
  });
}
