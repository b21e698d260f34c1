// The backup's file name: which database, when (UTC), and the migration the run goes to, so a listing
// of the backup folder reads as a deploy history and the right file to restore is easy to pick.

/** Keeps a name safe in a file name on any system: letters, digits, `_`, `-` and `.`; the rest becomes `_`. */
const safe = (text: string) => text.replace(/[^A-Za-z0-9_.-]+/g, "_").replace(/^\.+/, "_");

/** 2026-11-26T08:15:00.123Z → 20261126T081500Z. */
export const compactUtc = (date: Date) => date.toISOString().replace(/[-:]/g, "").replace(/\.\d+Z$/, "Z");

/**
 * `<database>-<UTC time>-before-<target>.dump`, e.g. `app-20261126T081500Z-before-20261126051800_drop_post_view.dump`;
 * a rollback's is `…-before-down-<last migration rolled back>.dump`.
 */
export function backupFileName(database: string, at: Date, direction: "up" | "down", target: string): string {
  return `${safe(database)}-${compactUtc(at)}-before-${direction === "down" ? "down-" : ""}${safe(target)}.dump`;
}
