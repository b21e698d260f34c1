// PostgreSQL's notation for time settings (lock_timeout, statement_timeout), so a directive
// accepts exactly what `SET lock_timeout = '…'` would.

/** A duration as written and in milliseconds. */
export interface Duration {
  /** As written, e.g. `10s`. */
  text: string;
  /** In milliseconds, rounded as PostgreSQL rounds; 0 disables a timeout. */
  ms: number;
}

/** The units PostgreSQL accepts for a setting measured in milliseconds. */
const UNIT_MS: Readonly<Record<string, number>> = { us: 0.001, ms: 1, s: 1000, min: 60_000, h: 3_600_000, d: 86_400_000 };

/** What a timeout setting holds at most (INT_MAX milliseconds, about 24.8 days). */
const MAX_MS = 2_147_483_647;

export const DURATION_FORMS = "a number of milliseconds (5000) or a number with a unit us, ms, s, min, h or d (500ms, 10s, 2min, 1h)";

/** Parses `10s`, `500ms`, `2min`, `1h`, `1.5s` or a bare number of milliseconds; undefined when malformed. */
export function parseDuration(text: string): Duration | undefined {
  const match = /^(\d+(?:\.\d+)?)(us|ms|s|min|h|d)?$/.exec(text);
  if (!match) return undefined;
  const ms = Math.round(Number(match[1]) * (UNIT_MS[match[2] ?? "ms"] as number));
  if (!Number.isFinite(ms) || ms > MAX_MS) return undefined;
  return { text, ms };
}
