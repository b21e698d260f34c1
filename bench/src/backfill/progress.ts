// Pure arithmetic on a backfill's progress curve and on latency samples: the rate over the first and
// the last 10 % of rows (does the backfill slow down as it goes?), latency percentiles, and which slow
// statements were server-wide stalls rather than waits on the backfill's row locks.
import type { Timing } from "./load.ts";

/** Rows committed so far, observed at `atMs` (performance.now()). */
export interface ProgressPoint {
  atMs: number;
  done: number;
}

export interface WindowRates {
  /** Rows per second from the first observed batch to the moment 10 % of rows were done. */
  firstRate: number;
  /** Rows per second from the moment 90 % were done to the last batch. */
  lastRate: number;
  /** firstRate ÷ lastRate: how many times slower the last 10 % ran (1 = steady; < 1 sped up). */
  slowdown: number;
}

/** When `done` first reached `rows`, interpolated linearly between the two observations around it. */
function crossing(points: ProgressPoint[], rows: number): number | undefined {
  const at = points.findIndex((p) => p.done >= rows);
  if (at < 0) return undefined;
  const after = points[at] as ProgressPoint;
  const before = points[at - 1];
  if (!before || after.done === before.done) return after.atMs;
  return before.atMs + ((rows - before.done) / (after.done - before.done)) * (after.atMs - before.atMs);
}

/**
 * The first-10 % and last-10 % rates of a curve whose last point is the end (all `total` rows). The
 * first window starts at the first observation (the end of the first batch), since when that batch
 * began is not observed; it covers a little less than 10 % of rows, and the engine's warm-up (small
 * first batches growing toward the target duration) stays inside it. Undefined when the curve has too
 * few points to say (a backfill done in one or two batches).
 */
export function windowRates(points: ProgressPoint[], total: number): WindowRates | undefined {
  const first = points[0];
  const last = points[points.length - 1];
  if (!first || !last || points.length < 4 || total <= 0) return undefined;
  const tenth = crossing(points, total * 0.1);
  const ninetieth = crossing(points, total * 0.9);
  if (tenth === undefined || ninetieth === undefined || tenth <= first.atMs || last.atMs <= ninetieth) return undefined;
  const firstRate = (total * 0.1 - first.done) / ((tenth - first.atMs) / 1000);
  const lastRate = (last.done - total * 0.9) / ((last.atMs - ninetieth) / 1000);
  if (!(firstRate > 0) || !(lastRate > 0)) return undefined;
  return { firstRate, lastRate, slowdown: firstRate / lastRate };
}

export interface LatencyStats {
  count: number;
  p50: number;
  p99: number;
  max: number;
  /** Statements slower than 100 ms. */
  over100: number;
}

/** Nearest-rank percentiles of `values` (ms). */
export function latencyStats(values: number[]): LatencyStats {
  const sorted = Float64Array.from(values).sort();
  const rank = (q: number) => sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))] ?? Number.NaN;
  return { count: sorted.length, p50: rank(0.5), p99: rank(0.99), max: sorted.length ? (sorted[sorted.length - 1] as number) : Number.NaN, over100: values.filter((v) => v > 100).length };
}

/** Batch durations between consecutive points (the time from one commit to the next), ms. */
export function gaps(points: ProgressPoint[]): number[] {
  return points.slice(1).map((p, i) => p.atMs - (points[i] as ProgressPoint).atMs);
}

/**
 * Of the statements slower than `thresholdMs`, how many overlap a moment when every one of the
 * `clients` load connections was stuck in a statement slower than half that: a server-wide stall (a
 * WAL or checkpoint fsync) that holds every commit at once. A row lock held by the batch in flight
 * holds only the statement that hit one of its rows; four independent random ids all hitting it at
 * the same moment is rare, so this count is what the backfill's locks did not cause (a heuristic).
 */
export function slowInStalls(timings: Timing[], clients: number, thresholdMs = 100): number {
  if (clients < 2) return 0;
  const stuck = timings.filter((t) => t.ms > thresholdMs / 2).map((t) => ({ client: t.client, start: t.startedAt, end: t.startedAt + t.ms, slow: t.ms > thresholdMs }));
  const everyoneStuckAt = (at: number) => new Set(stuck.filter((t) => t.start <= at && at <= t.end).map((t) => t.client)).size === clients;
  // If such a moment exists within a statement, the latest start among the overlapping ones is one.
  return stuck.filter((s) => s.slow && [s.start, ...stuck.filter((t) => t.start > s.start && t.start <= s.end).map((t) => t.start)].some(everyoneStuckAt)).length;
}
