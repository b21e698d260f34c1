// Several rounds of the same scenarios, summarised into one row each: medians for rates and ratios
// (each ratio taken within its round, so slow drift in the machine's load cancels), latencies pooled
// over every round's statements (so the max is the worst statement seen), waits summed.
import type { ScenarioRow } from "./report.ts";
import type { Measured } from "./scenario.ts";
import { latencyStats } from "./progress.ts";

export const median = (values: number[]) => {
  const sorted = values.filter((v) => !Number.isNaN(v)).sort((a, b) => a - b);
  if (!sorted.length) return Number.NaN;
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? (sorted[mid] as number) : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
};

const sumInto = (into: Record<string, number>, from: Record<string, number>) => {
  for (const [key, n] of Object.entries(from)) into[key] = (into[key] ?? 0) + n;
};

/** One row per scenario id, in the order first measured; `ratioVsDoLoop` against the DO loop of the same round. */
export function summarise(measured: Measured[]): ScenarioRow[] {
  const ids = [...new Set(measured.map((m) => m.run.id))];
  const doRate = new Map(measured.filter((m) => m.run.id === "do-loop").map((m) => [m.run.round, m.run.rowsPerSecond ?? Number.NaN]));
  return ids.map((id) => {
    const group = measured.filter((m) => m.run.id === id);
    const runs = group.map((m) => m.run);
    const latencies = group.flatMap((m) => m.latencies);
    const wallMs = runs.reduce((a, r) => a + r.wallMs, 0);
    const rates = runs.map((r) => r.rowsPerSecond ?? Number.NaN);
    const waits = { load: {}, backfill: {} };
    for (const r of runs) {
      sumInto(waits.load, r.waits.load);
      sumInto(waits.backfill, r.waits.backfill);
    }
    const windows = runs.flatMap((r) => (r.windows ? [r.windows] : []));
    const batches = runs.flatMap((r) => r.batches ?? []);
    const phases = runs.flatMap((r) => (r.phases ? [r.phases] : []));
    const last = runs[runs.length - 1] as (typeof runs)[number];
    const row: ScenarioRow = {
      id,
      label: last.label,
      runs: runs.length,
      wallMs: median(runs.map((r) => r.wallMs)),
      rows: last.rows,
      rowsPerSecond: last.rowsPerSecond === null ? null : median(rates),
      ratioVsDoLoop: last.rowsPerSecond === null || !doRate.size ? null : median(runs.map((r) => (r.rowsPerSecond ?? Number.NaN) / (doRate.get(r.round) ?? Number.NaN))),
      load: {
        ...latencyStats(latencies),
        perSecond: latencies.length / (wallMs / 1000),
        errors: runs.reduce((a, r) => a + r.load.errors, 0),
        cappedEarly: runs.some((r) => r.load.cappedEarly),
        over100InStalls: runs.reduce((a, r) => a + r.load.over100InStalls, 0),
      },
      windows: windows.length
        ? { firstRate: median(windows.map((w) => w.firstRate)), lastRate: median(windows.map((w) => w.lastRate)), slowdown: median(windows.map((w) => w.slowdown)) }
        : null,
      perRun: { rowsPerSecond: rates, loadMaxMs: runs.map((r) => r.load.max), slowdown: runs.map((r) => r.windows?.slowdown ?? Number.NaN) },
      waits,
      walBytes: median(runs.map((r) => r.walBytes)),
      checkpoints: median(runs.map((r) => r.checkpoints)),
      table: last.table,
    };
    if (batches.length) {
      const sizes = batches.map((b) => b.size);
      const durations = batches.map((b) => b.ms);
      row.batches = { seen: batches.length, medianSize: median(sizes), maxSize: Math.max(...sizes), medianMs: median(durations), maxMs: Math.max(...durations) };
    }
    if (phases.length) {
      row.phases = { startup: median(phases.map((p) => p.startup)), count: median(phases.map((p) => p.count)), batches: median(phases.map((p) => p.batches)), exit: median(phases.map((p) => p.exit)) };
    }
    const batchRates = runs.flatMap((r) => (r.batchRowsPerSecond ? [r.batchRowsPerSecond] : []));
    if (batchRates.length) row.batchRowsPerSecond = median(batchRates);
    const commitGaps = runs.flatMap((r) => (r.maxCommitGapMs === undefined ? [] : [r.maxCommitGapMs]));
    if (commitGaps.length) row.maxCommitGapMs = Math.max(...commitGaps);
    return row;
  });
}
