// What state each migration is in, from the local folder and the history table: the one reading of
// "applied" that status, plans, readiness checks and the CLI share.
import type { LocalDataMigration } from "../data/folder.ts";
import { liveDataRecords, type DataRecord } from "../data/records.ts";
import { MigrateError } from "../errors.ts";
import type { LocalMigration } from "../local/migration-folder.ts";
import { matchesChecksum } from "../local/checksum.ts";
import { IN_PROGRESS_MARK, type MigrationRecord } from "./history-table.ts";

export type MigrationState =
  /** Applied and unchanged. */
  | "applied"
  /** In the folder, not applied. */
  | "pending"
  /** An attempt failed and is not resolved: Prisma's P3009 state. */
  | "failed"
  /** A statement-by-statement run was killed mid-way: the next deploy continues it (Prisma sees it as failed). */
  | "interrupted"
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

/** A data migration's state: a schema state, or a resumable run (killed mid-way, or stopped on request). */
export type DataMigrationState = MigrationState | "running";

export interface DataMigrationStatus {
  name: string;
  state: DataMigrationState;
  anchor: string | null;
  local?: LocalDataMigration | undefined;
  record?: DataRecord | undefined;
  /** Rows done and estimated, for a batched run. */
  progress?: { rowsDone: number; rowsEstimate: number | null } | undefined;
}

/** One entry of the timeline both kinds share: schema migrations by name, each data migration after its anchor. */
export type TimelineEntry =
  | { kind: "schema"; name: string; state: MigrationState; reversible: boolean; schema: MigrationStatus }
  | { kind: "data"; name: string; state: DataMigrationState; reversible: boolean; data: DataMigrationStatus };

export interface Status {
  /** Schema and data migrations in the order they apply. */
  timeline: TimelineEntry[];
  /** Schema migrations in apply order: local migrations by name, database-only ones placed by name among them. */
  migrations: MigrationStatus[];
  /** Data migrations by name. */
  data: DataMigrationStatus[];
  /** The last applied entry of the timeline, Alembic's `current`. */
  current: string | null;
  /** Names by state, in timeline order, both kinds. */
  applied: string[];
  pending: string[];
  failed: string[];
  edited: string[];
  missing: string[];
  /** Data migrations that stopped mid-way (killed or interrupted) and resume on the next deploy. */
  resumable: string[];
  /** Nothing pending, failed, edited, missing or resumable: what `status --check` and readiness ask. */
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

function dataStatuses(local: LocalDataMigration[], records: DataRecord[]): DataMigrationStatus[] {
  const live = liveDataRecords(records);
  const statuses: DataMigrationStatus[] = local.map((migration) => {
    const record = live.get(migration.name);
    const progress = record ? { rowsDone: record.rowsDone, rowsEstimate: record.rowsEstimate } : undefined;
    if (!record) return { name: migration.name, state: "pending", anchor: migration.anchor, local: migration };
    const state: DataMigrationState = record.status === "applied" ? (record.checksum === migration.checksum ? "applied" : "edited") : record.status === "rolled_back" ? "pending" : record.status;
    return { name: migration.name, state, anchor: migration.anchor, local: migration, record, progress };
  });
  const names = new Set(local.map((m) => m.name));
  for (const [name, record] of live) {
    if (!names.has(name) && record.status === "applied") statuses.push({ name, state: "missing", anchor: record.anchor, record });
  }
  return statuses.sort((a, b) => (a.name < b.name ? -1 : 1));
}

/** Orders both kinds: schema migrations by name, each data migration right after its anchor. */
function buildTimeline(schema: MigrationStatus[], data: DataMigrationStatus[]): TimelineEntry[] {
  const schemaNames = new Set(schema.map((m) => m.name));
  const byAnchor = new Map<string | null, DataMigrationStatus[]>();
  for (const entry of data) {
    if (entry.state !== "missing" && entry.anchor !== null && !schemaNames.has(entry.anchor)) {
      throw new MigrateError(
        "UNKNOWN_ANCHOR",
        `Data migration ${entry.name} is anchored to ${entry.anchor}, which is not a schema migration.`,
        "Fix its `anchor` to the name of an existing schema migration folder (the newest one when the data migration was written).",
      );
    }
    const anchor = entry.state === "missing" && entry.anchor !== null && !schemaNames.has(entry.anchor) ? null : entry.anchor;
    byAnchor.set(anchor, [...(byAnchor.get(anchor) ?? []), entry]);
  }
  const dataEntries = (anchor: string | null): TimelineEntry[] =>
    (byAnchor.get(anchor) ?? []).map((d) => ({ kind: "data", name: d.name, state: d.state, reversible: !!d.local && d.state !== "missing", data: d }));
  const timeline: TimelineEntry[] = dataEntries(null);
  for (const migration of schema) {
    timeline.push({ kind: "schema", name: migration.name, state: migration.state, reversible: migration.reversible, schema: migration });
    timeline.push(...dataEntries(migration.name));
  }
  return timeline;
}

/** Combines the folders and the history tables into each migration's state. */
export function computeStatus(local: LocalMigration[], history: MigrationRecord[], dataLocal: LocalDataMigration[] = [], dataRecords: DataRecord[] = []): Status {
  const live = liveRecords(history);
  const localNames = new Set(local.map((migration) => migration.name));
  const migrations: MigrationStatus[] = local.map((migration) => {
    const record = live.get(migration.name);
    const reversible = migration.downSql !== undefined && migration.downSql.trim() !== "";
    if (!record) return { name: migration.name, state: "pending", local: migration, reversible };
    if (!record.finishedAt) {
      const state = record.logs?.startsWith(IN_PROGRESS_MARK) && record.checksum === migration.checksum ? "interrupted" : "failed";
      return { name: migration.name, state, record, local: migration, reversible };
    }
    // The checksum computed when the folder was read matches in the usual case; Prisma's tolerances
    // (line endings, old unpadded hex) are checked only when it does not.
    const state = record.checksum === migration.checksum || matchesChecksum(migration.upSql, record.checksum) ? "applied" : "edited";
    return { name: migration.name, state, record, local: migration, reversible };
  });
  for (const [name, record] of live) {
    if (!localNames.has(name)) migrations.push({ name, state: record.finishedAt ? "missing" : "failed", record, reversible: false });
  }
  migrations.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const data = dataStatuses(dataLocal, dataRecords);
  const timeline = buildTimeline(migrations, data);
  const named = (...states: string[]) => timeline.filter((e) => states.includes(e.state)).map((e) => e.name);
  const applied = named("applied", "edited");
  const status: Status = {
    timeline,
    migrations,
    data,
    current: applied.at(-1) ?? null,
    applied,
    pending: named("pending"),
    failed: named("failed"),
    edited: named("edited"),
    missing: named("missing"),
    resumable: named("running", "interrupted"),
    atHead: false,
  };
  status.atHead = !status.pending.length && !status.failed.length && !status.edited.length && !status.missing.length && !status.resumable.length;
  return status;
}
