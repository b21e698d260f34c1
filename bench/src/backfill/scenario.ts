// One measured scenario on a fresh copy of the template: the load and the wait sampler start, the
// contender runs (or, for the idle baseline, nothing), the load stops; then what it did to the load,
// the WAL and the table is read back, and the backfill is checked complete.
import { performance } from "node:perf_hooks";
import { setTimeout as sleep } from "node:timers/promises";
import type { BackfillRun, Contender } from "./contenders.ts";
import type { Databases, TableStats } from "./databases.ts";
import { startLoad, startWaitSampler, type LoadOptions, type LoadResult, type WaitSamples } from "./load.ts";
import { gaps, latencyStats, slowInStalls, windowRates, type LatencyStats, type WindowRates } from "./progress.ts";
import type { ScenarioId } from "./report.ts";

/** How often the wait sampler looks, ms. */
export const SAMPLE_MS = 50;
/** How many of the load's slowest statements each run keeps (with when they started), to line up with the commits. */
const SLOWEST = 10;
/** The load runs this long before the backfill starts, so the backfill meets a load already going. */
export const LEAD_MS = 500;

export interface ScenarioRun {
  id: ScenarioId;
  label: string;
  /** Which round of the run it was measured in (0 for the idle baseline). */
  round: number;
  /** Wall-clock time the backfill started, to line its events up with the server's log. */
  startedAtIso: string;
  /** The backfill's wall time (the idle baseline: how long the load ran alone), ms. */
  wallMs: number;
  rows: number | null;
  rowsPerSecond: number | null;
  /** The load's statements that started during the backfill. */
  load: LatencyStats & { perSecond: number; errors: number; cappedEarly: boolean; over100InStalls: number };
  windows: WindowRates | null;
  /** Sampled wait states of the load's and the backfill's backends. */
  waits: WaitSamples;
  walBytes: number;
  checkpoints: number;
  table: TableStats;
  /** The migrator: each batch seen committed, as the engine recorded it (rows, ms). */
  batches?: { size: number; ms: number }[];
  /** The migrator: where its wall time went, ms. */
  phases?: { startup: number; count: number; batches: number; exit: number };
  /** The migrator: rows/s from its first to its last batch seen (no start-up, no initial count). */
  batchRowsPerSecond?: number;
  /** The DO loop: the longest gap between two commits, ms. */
  maxCommitGapMs?: number;
  /** The load's slowest statements during the backfill, [ms since the backfill started, latency ms], slowest first. */
  slowest: number[][];
  /** Every observed commit, [ms since the backfill started, rows done]; for the migrator, batches[i] is that commit's batch. */
  curve: number[][];
}

export interface Measured {
  run: ScenarioRun;
  /** Latencies of the load's statements during the backfill, ms (pooled over rounds for the summary). */
  latencies: number[];
}

export async function runScenario(
  databases: Databases,
  load: Omit<LoadOptions, "url">,
  contender: Contender | undefined,
  round: number,
  idleMs: number,
): Promise<Measured> {
  const url = await databases.copy();
  try {
    const before = await databases.counters();
    const sampler = await startWaitSampler(url, SAMPLE_MS);
    const generator = await startLoad({ ...load, url });
    await sleep(LEAD_MS);
    let backfill: BackfillRun | undefined;
    let window: { startedAt: number; endedAt: number };
    let loadResult: LoadResult;
    let waits: WaitSamples;
    try {
      if (contender) {
        backfill = await contender.run(url);
        window = backfill;
      } else {
        const startedAt = performance.now();
        await sleep(idleMs);
        window = { startedAt, endedAt: performance.now() };
      }
    } finally {
      loadResult = await generator.stop();
      waits = await sampler.stop();
    }
    const after = await databases.counters();
    const table = await databases.tableStats(url);
    if (backfill && table.remaining !== 0) throw new Error(`${contender?.label}: ${table.remaining} rows still have category_id NULL after the backfill.`);
    const during = loadResult.timings.filter((t) => t.startedAt >= window.startedAt && t.startedAt <= window.endedAt);
    const latencies = during.map((t) => t.ms);
    const slowest = [...during]
      .sort((a, b) => b.ms - a.ms)
      .slice(0, SLOWEST)
      .map((t) => [Math.round(t.startedAt - window.startedAt), Math.round(t.ms)]);
    const wallMs = window.endedAt - window.startedAt;
    const run: ScenarioRun = {
      id: contender?.id ?? "idle",
      label: contender?.label ?? "idle load (no backfill)",
      round,
      startedAtIso: new Date(Date.now() - (performance.now() - window.startedAt)).toISOString(),
      wallMs,
      rows: backfill ? backfill.rows : null,
      rowsPerSecond: backfill ? backfill.rows / (wallMs / 1000) : null,
      load: {
        ...latencyStats(latencies),
        perSecond: latencies.length / (wallMs / 1000),
        errors: loadResult.errors,
        cappedEarly: loadResult.cappedEarly,
        over100InStalls: slowInStalls(during, load.clients),
      },
      windows: backfill ? (windowRates(backfill.progress, backfill.rows) ?? null) : null,
      waits,
      walBytes: await databases.walBytes(before.walLsn, after.walLsn),
      checkpoints: after.checkpoints - before.checkpoints,
      table,
      slowest,
      curve: (backfill?.progress ?? []).map((p) => [Math.round(p.atMs - window.startedAt), p.done]),
    };
    if (backfill?.batches?.length) run.batches = backfill.batches;
    if (backfill?.phases) {
      run.phases = backfill.phases;
      const first = backfill.progress[0]?.done ?? 0;
      const last = backfill.progress[backfill.progress.length - 1]?.done ?? 0;
      if (backfill.phases.batches > 0) run.batchRowsPerSecond = (last - first) / (backfill.phases.batches / 1000);
    }
    if (contender?.id === "do-loop" && backfill && backfill.progress.length > 1) run.maxCommitGapMs = Math.max(...gaps(backfill.progress));
    return { run, latencies };
  } finally {
    await databases.drop(url);
  }
}
