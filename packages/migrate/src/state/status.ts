// What state each migration is in, from the local folder and the history table: the one reading of
// "applied" that status, plans, readiness checks and the CLI share.
import type { LocalMigration } from "../local/migration-folder.ts";
import { matchesChecksum } from "../local/checksum.ts";
import type { MigrationRecord } from "./history-table.ts";

export type MigrationState =
  /** Applied and unchanged. */
  | "applied"
  /** In the folder, not applied. */
  | "pending"
  /** An attempt failed (or was interrupted) and is not resolved: Prisma's P3009 state. */
  | "failed"
  /** Applied, but migration.sql changed since. */
  | "edited"
  /** Applied in the database, absent from the folder (an older release on a newer database). */
  | "missing";

export interface MigrationStatus {
  name: string;
  state: MigrationState;
  /** The record behind an applied, edited, failed or missing state. */
  record?: MigrationRecord | undefined;
  local?: LocalMigration | undefined;
  /** Whether a down.sql exists, so it can be rolled back. */
  reversible: boolean;
}

export interface Status {
  /** In apply order: local migrations by name, database-only ones placed by name among them. */
  migrations: MigrationStatus[];
  /** The last applied migration, Alembic's `current`. */
  current: string | null;
  applied: string[];
  pending: string[];
  failed: string[];
  edited: string[];
  missing: string[];
  /** Nothing pending, failed, edited or missing: what `status --check` and readiness ask. */
  atHead: boolean;
}

/** The latest record per migration name that is not rolled back (applied, or a failed attempt). */
function liveRecords(history: MigrationRecord[]): Map<string, MigrationRecord> {
  const live = new Map<string, MigrationRecord>();
  for (const record of history) {
    if (record.rolledBackAt) continue;
    const previous = live.get(record.name);
    // A finished record wins over an unfinished one; otherwise the newest attempt.
    if (!previous || (record.finishedAt && !previous.finishedAt) || (!!record.finishedAt === !!previous.finishedAt && record.startedAt >= previous.startedAt)) {
      live.set(record.name, record);
    }
  }
  return live;
}

/** Combines the folder and the history table into each migration's state. */
export function computeStatus(local: LocalMigration[], history: MigrationRecord[]): Status {
  const live = liveRecords(history);
  const localNames = new Set(local.map((migration) => migration.name));
  const migrations: MigrationStatus[] = local.map((migration) => {
    const record = live.get(migration.name);
    const reversible = migration.downSql !== undefined && migration.downSql.trim() !== "";
    if (!record) return { name: migration.name, state: "pending", local: migration, reversible };
    if (!record.finishedAt) return { name: migration.name, state: "failed", record, local: migration, reversible };
    const state = matchesChecksum(migration.upSql, record.checksum) ? "applied" : "edited";
    return { name: migration.name, state, record, local: migration, reversible };
  });
  for (const [name, record] of live) {
    if (!localNames.has(name)) migrations.push({ name, state: record.finishedAt ? "missing" : "failed", record, reversible: false });
  }
  migrations.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const named = (state: MigrationState) => migrations.filter((m) => m.state === state).map((m) => m.name);
  const applied = migrations.filter((m) => m.state === "applied" || m.state === "edited").map((m) => m.name);
  const status: Status = {
    migrations,
    current: applied.at(-1) ?? null,
    applied,
    pending: named("pending"),
    failed: named("failed"),
    edited: named("edited"),
    missing: named("missing"),
    atHead: false,
  };
  status.atHead = !status.pending.length && !status.failed.length && !status.edited.length && !status.missing.length;
  return status;
}
