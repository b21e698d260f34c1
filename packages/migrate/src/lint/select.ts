// Which migrations `migrator lint` checks: those named, every one, those new or changed on the branch
// since a git ref, or (the default) those the database has not applied yet. A git ref also yields the
// last release's schema.prisma for dropped-still-in-schema.
import path from "node:path";
import { getStatus, type EngineOptions } from "../engine.ts";
import { ConnectionError, UsageError } from "../errors.ts";
import { readLocalMigrations } from "../local/migration-folder.ts";
import { findMigration } from "../target.ts";
import { fileAtRef, migrationsChangedSince } from "./git.ts";
import type { LintOptions } from "./lint.ts";

export interface LintSelection {
  migrationsDir: string;
  /** Migration names (whole, timestamp, unique prefix or the part after the timestamp). */
  names?: readonly string[] | undefined;
  /** Every migration in the folder. */
  all?: boolean | undefined;
  /** A git ref: selects the migrations changed since it (unless names or `all` choose), and reads its schema.prisma. */
  since?: string | undefined;
  /** The Prisma schema whose version at `since` to read (default: schema.prisma beside the migrations folder). */
  schemaPath?: string | undefined;
  /** For the default, pending migrations: the database to ask. */
  engine?: EngineOptions | undefined;
}

/** What to pass to lintMigrations for a selection. Throws UsageError for bad names or refs, ConnectionError when the pending ones cannot be known. */
export async function selectForLint(selection: LintSelection): Promise<Pick<LintOptions, "names" | "previousSchema">> {
  const { migrationsDir, since } = selection;
  if (selection.names?.length && selection.all) throw new UsageError("INVALID_ARGUMENTS", "lint takes migration names or --all, not both.");
  const local = (await readLocalMigrations(migrationsDir)).map((m) => m.name);
  const schemaPath = selection.schemaPath ?? path.join(path.dirname(path.resolve(migrationsDir)), "schema.prisma");
  const previousSchema = since === undefined ? undefined : { ref: since, text: await fileAtRef(since, schemaPath) };
  if (selection.names?.length) return { names: [...new Set(selection.names.map((name) => findMigration(name, local)))], previousSchema };
  if (selection.all) return { names: local, previousSchema };
  if (since !== undefined) {
    const changed = new Set(await migrationsChangedSince(since, migrationsDir));
    return { names: local.filter((name) => changed.has(name)), previousSchema };
  }
  if (!selection.engine) throw new UsageError("INVALID_ARGUMENTS", "lint needs migration names, --all, --since <ref>, or a database to find the pending migrations.");
  try {
    const status = await getStatus(selection.engine);
    return { names: status.migrations.filter((m) => (m.state === "pending" || m.state === "failed") && m.local).map((m) => m.name), previousSchema };
  } catch (error) {
    if (!(error instanceof ConnectionError)) throw error;
    throw new ConnectionError(
      error.code,
      `lint checks the pending migrations by default, and that needs the database: ${error.message}`,
      "Lint without a database: `migrator lint --all` (every migration) or `migrator lint --since origin/main` (the ones new on this branch).",
    );
  }
}
