// What "ready to serve traffic" means. Always: the database answers. Then, depending on who owns the
// schema: with migrations (production), every schema and data migration bundled with this build is
// applied, and none failed, was edited, stopped half-way or is unknown to this build (except those newer
// than all of this build's: during a rolling release the migrator applies release N+1's expand
// migrations while release N's pods still serve, and they must stay ready); with createTablesOnStart (development and tests), the schema was pushed at start-up (or the app would not
// have started) and no migration history is expected.
import type { PrismaClient } from "@repo/db/client";
import { getStatus } from "@repo/migrate";

/** The state of one kind of migrations (schema or data), as /ready reports it. */
export interface MigrationSetState {
  ok: boolean;
  /** The last applied migration of this kind. */
  current?: string | null;
  pending: string[];
  failed: string[];
  /** Applied, then changed on disk: the build and the database disagree about what ran. */
  edited: string[];
  /**
   * Applied in the database, unknown to this build and older than its newest migration: the database
   * took another branch of history. Not ready.
   */
  missing: string[];
  /**
   * Applied in the database, unknown to this build and newer than all of its migrations: a later
   * release's migrations, applied before its pods roll out. Reported, still ready (expand/contract
   * keeps the schema compatible with the release before).
   */
  ahead?: string[];
  /** Data migrations stopped mid-way (killed or interrupted); the next deploy resumes them. */
  resumable?: string[];
  /** Why the state could not be read. */
  error?: string;
}

export type SchemaSource =
  /** The migrator owns the schema: readiness compares the database with the migrations of this build. */
  | { mode: "migrations"; migrationsDir: string; dataMigrationsDir: string }
  /** The app pushed the schema at start-up (createTablesOnStart): no migration history is expected. */
  | { mode: "push"; pushedAt: Date };

export interface Readiness {
  status: "ready" | "not_ready";
  /** Set while the server drains connections before exiting. */
  shuttingDown?: true;
  database: { ok: boolean; latencyMs?: number; error?: string };
  schema: ({ mode: "migrations" } & MigrationSetState) | { mode: "push"; ok: boolean; pushedAt: string };
  /** Data migrations (`@repo/db/data-migrations`); with a pushed schema there are none to check. */
  dataMigrations: MigrationSetState & { checked: boolean };
}

export interface ReadinessOptions {
  db: PrismaClient;
  url: string;
  schema: SchemaSource;
  /** Each check gives up after this long, so a hung database cannot hang the probe. */
  timeoutMs: number;
}

function withTimeout<T>(work: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} timed out after ${ms} ms`)), ms);
  });
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}

const messageOf = (error: unknown) => (error instanceof Error ? error.message : String(error)).split("\n").filter(Boolean).at(-1) ?? "unknown error";

async function checkDatabase(options: ReadinessOptions): Promise<Readiness["database"]> {
  const started = performance.now();
  try {
    await withTimeout(options.db.$queryRaw`SELECT 1`, options.timeoutMs, "SELECT 1");
    return { ok: true, latencyMs: Math.round(performance.now() - started) };
  } catch (error) {
    return { ok: false, error: messageOf(error) };
  }
}

const unreadable = (error: string): MigrationSetState => ({ ok: false, pending: [], failed: [], edited: [], missing: [], error });

/** Both kinds from one reading of the history tables (one connection, no lock). */
async function checkMigrations(options: ReadinessOptions & { schema: { mode: "migrations" } }): Promise<Pick<Readiness, "schema" | "dataMigrations">> {
  try {
    const status = await withTimeout(
      getStatus({
        url: options.url,
        migrationsDir: options.schema.migrationsDir,
        dataMigrationsDir: options.schema.dataMigrationsDir,
        applicationName: "api-readiness",
      }),
      options.timeoutMs,
      "reading the migration status",
    );
    const named = <T extends { name: string; state: string }>(entries: T[], ...states: string[]) => entries.filter((e) => states.includes(e.state)).map((e) => e.name);
    const setOf = <T extends { name: string; state: string }>(entries: T[]): MigrationSetState => {
      // Names start with a timestamp, so "newer than this build" is a comparison with its newest name.
      const newestBundled = entries.filter((e) => e.state !== "missing").map((e) => e.name).sort().at(-1) ?? "";
      const unknown = named(entries, "missing");
      const state = {
        current: named(entries, "applied", "edited").at(-1) ?? null,
        pending: named(entries, "pending"),
        failed: named(entries, "failed"),
        edited: named(entries, "edited"),
        missing: unknown.filter((name) => name <= newestBundled),
        ahead: unknown.filter((name) => name > newestBundled),
      };
      return { ok: !state.pending.length && !state.failed.length && !state.edited.length && !state.missing.length, ...state };
    };
    const resumable = named(status.data, "running", "interrupted");
    const data = setOf(status.data);
    return {
      schema: { mode: "migrations", ...setOf(status.migrations) },
      dataMigrations: { ...data, ok: data.ok && !resumable.length, resumable, checked: true },
    };
  } catch (error) {
    const message = messageOf(error);
    return { schema: { mode: "migrations", ...unreadable(message) }, dataMigrations: { ...unreadable(message), checked: true } };
  }
}

/** Runs every check at once and reports each; ready only when all pass. Never throws. */
export async function checkReadiness(options: ReadinessOptions): Promise<Readiness> {
  const { schema } = options;
  const [database, migrations] = await Promise.all([
    checkDatabase(options),
    schema.mode === "migrations"
      ? checkMigrations({ ...options, schema })
      : {
          schema: { mode: "push" as const, ok: true, pushedAt: schema.pushedAt.toISOString() },
          dataMigrations: { ok: true, checked: false, pending: [], failed: [], edited: [], missing: [] },
        },
  ]);
  const ok = database.ok && migrations.schema.ok && migrations.dataMigrations.ok;
  return { status: ok ? "ready" : "not_ready", database, ...migrations };
}
