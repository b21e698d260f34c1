// Reads a Prisma migrations folder into the engine's MigrationList, by Prisma's rules: every
// sub-folder is a migration, in name order, with its `migration.sql`; `migration_lock.toml` beside them.
import { readdir, readFile } from "node:fs/promises";
import path from "node:path";
import type { MigrationList } from "@prisma/schema-engine-wasm";

/** Loads `dir` (which may not exist yet: then the list is empty). */
export async function readMigrationsFolder(dir: string, shadowDbInitScript = ""): Promise<MigrationList> {
  const lockfile = await readFile(path.join(dir, "migration_lock.toml"), "utf8").catch(() => null);
  const entries = await readdir(dir, { withFileTypes: true }).catch((error: NodeJS.ErrnoException) => {
    if (error.code === "ENOENT") return [];
    throw error;
  });
  const names = entries.filter((entry) => entry.isDirectory()).map((entry) => entry.name).sort((a, b) => a.localeCompare(b));
  const migrationDirectories = await Promise.all(
    names.map(async (name) => ({
      path: name,
      migrationFile: {
        path: "migration.sql",
        content: await readFile(path.join(dir, name, "migration.sql"), "utf8").then(
          (value) => ({ tag: "ok" as const, value }),
          (error: Error) => ({ tag: "error" as const, value: error.message }),
        ),
      },
    })),
  );
  return { baseDir: dir, lockfile: { path: "migration_lock.toml", content: lockfile }, shadowDbInitScript, migrationDirectories };
}
