// `pnpm db:data new <name>`: a new data-migration file anchored to the newest schema migration.
import { mkdir, writeFile } from "node:fs/promises";
import path from "node:path";
import { UsageError } from "../errors.ts";
import { readLocalMigrations } from "../local/migration-folder.ts";

const timestamp = (date: Date) => date.toISOString().replace(/[-:T]/g, "").slice(0, 14);

/**
 * Writes `<dataMigrationsDir>/<timestamp>_<slug>.ts` anchored to the newest migration in
 * `migrationsDir` (so it runs right after that one, before any later schema migration). Returns its path.
 */
export async function scaffoldDataMigration(options: { name: string; migrationsDir: string; dataMigrationsDir: string; now?: Date; importFrom?: string }): Promise<string> {
  const slug = options.name.trim().toLowerCase().replace(/[^a-z0-9]+/g, "_").replace(/^_|_$/g, "");
  if (!slug) throw new UsageError("INVALID_NAME", `"${options.name}" has no letters or digits to name a data migration with.`, "Use words, e.g. `pnpm db:data new backfill_post_category`.");
  const anchor = (await readLocalMigrations(options.migrationsDir)).at(-1)?.name ?? null;
  const file = path.join(options.dataMigrationsDir, `${timestamp(options.now ?? new Date())}_${slug}.ts`);
  const source = `// ${slug.replaceAll("_", " ")}: a data migration. It runs after the schema migration it is anchored to
// and before any later one. Keep \`up\` idempotent where it runs outside ctx.batch: a resumed run repeats it.
import { defineDataMigration } from "${options.importFrom ?? "@repo/migrate"}";

export default defineDataMigration({
  anchor: ${anchor === null ? "null" : JSON.stringify(anchor)},
  // transaction: false, // needed for ctx.batch (committed, resumable batches)
  async up({ sql, log }) {
    // Replace with the data change, e.g. await sql.query("UPDATE post SET … WHERE …");
    const { rowCount } = await sql.query("SELECT 1");
    log.info(\`${slug}: nothing changed yet (\${rowCount} row read)\`);
  },
  // Add down({ sql }) to make it reversible; without it \`down\` refuses to pass this migration.
});
`;
  await mkdir(options.dataMigrationsDir, { recursive: true });
  await writeFile(file, source, { flag: "wx" });
  return file;
}
