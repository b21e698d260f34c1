// Turns each scenario's measurements into the benchmark's verdict: one row per scenario (the idle
// load and the three contenders), ratios against the DO loop measured in the same run, the issue's
// targets as PASS/MISS, and the evidence needed to say what dominated.
import type { ContenderId } from "./contenders.ts";
import type { TableStats } from "./databases.ts";
import type { WaitSamples } from "./load.ts";
import type { LatencyStats, WindowRates } from "./progress.ts";

export const TARGETS = {
  minRatioVsDoLoop: 0.7,
  maxLoadLatencyMs: 100,
  maxSlowdown: 1.2,
} as const;

export type ScenarioId = "idle" | ContenderId;

export interface ScenarioRow {
  id: ScenarioId;
  label: string;
  /** Rounds measured (the idle baseline: one). */
  runs: number;
  /** Median wall time of the backfill (the idle row: how long the load ran alone), ms. */
  wallMs: number;
  rows: number | null;
  /** Median over rounds. */
  rowsPerSecond: number | null;
  /** Median over rounds of rows/s ÷ the DO loop's rows/s in the same round. */
  ratioVsDoLoop: number | null;
  /**
   * The load's statements that started during the backfills, pooled over rounds; over100InStalls: how
   * many of those over 100 ms ended when every load client was slow at once (server-wide stalls).
   */
  load: LatencyStats & { perSecond: number; errors: number; cappedEarly: boolean; over100InStalls: number };
  /** Medians over rounds. */
  windows: WindowRates | null;
  /** Each round's value, in round order, to show the spread. */
  perRun: { rowsPerSecond: number[]; loadMaxMs: number[]; slowdown: number[] };
  /** Sampled wait states of the load's and the backfill's backends, summed over rounds. */
  waits: WaitSamples;
  /** Medians over rounds. */
  walBytes: number;
  checkpoints: number;
  /** After the last round. */
  table: TableStats;
  /** The migrator: every batch seen committed (size in rows, duration in ms as the engine recorded it). */
  batches?: { seen: number; medianSize: number; maxSize: number; medianMs: number; maxMs: number };
  /** The migrator: where its wall time went (medians), ms. */
  phases?: { startup: number; count: number; batches: number; exit: number };
  /** The migrator: rows/s over its batches alone, without start-up and the initial count (median). */
  batchRowsPerSecond?: number;
  /** The DO loop: the longest gap between two commits in any round, ms. */
  maxCommitGapMs?: number;
}

export interface TargetCheck {
  target: string;
  value: string;
  actual: number | null;
  limit: number;
  pass: boolean;
}

/** The issue's three targets, all on the migrator's row. */
export function checkTargets(rows: ScenarioRow[]): TargetCheck[] {
  const ours = rows.find((r) => r.id === "migrator");
  const ratio = ours?.ratioVsDoLoop ?? null;
  const max = ours ? ours.load.max : null;
  const slowdown = ours?.windows?.slowdown ?? null;
  const fmt = (value: number | null, text: (v: number) => string) => (value === null || Number.isNaN(value) ? "n/a" : text(value));
  return [
    { target: `rows/s ≥ ${TARGETS.minRatioVsDoLoop}× the DO loop's`, value: fmt(ratio, (v) => `${v.toFixed(2)}×`), actual: ratio, limit: TARGETS.minRatioVsDoLoop, pass: ratio !== null && ratio >= TARGETS.minRatioVsDoLoop },
    { target: `concurrent max latency ≤ ${TARGETS.maxLoadLatencyMs} ms`, value: fmt(max, (v) => `${v.toFixed(0)} ms`), actual: max, limit: TARGETS.maxLoadLatencyMs, pass: max !== null && max <= TARGETS.maxLoadLatencyMs },
    { target: `last 10 % ≤ ${TARGETS.maxSlowdown}× slower than the first`, value: fmt(slowdown, (v) => `${v.toFixed(2)}×`), actual: slowdown, limit: TARGETS.maxSlowdown, pass: slowdown !== null && slowdown <= TARGETS.maxSlowdown },
  ];
}

function table(header: string[], body: string[][], rightAligned: Set<number>): string {
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((row) => (row[i] ?? "").length)));
  const line = (cells: string[]) => cells.map((cell, i) => (rightAligned.has(i) ? cell.padStart(widths[i] ?? 0) : cell.padEnd(widths[i] ?? 0))).join("  ").trimEnd();
  return [line(header), widths.map((w) => "-".repeat(w)).join("  "), ...body.map(line)].join("\n");
}

const int = (value: number) => Math.round(value).toLocaleString("en");
const ms = (value: number) => (Number.isNaN(value) ? "–" : value < 10 ? value.toFixed(1) : value.toFixed(0));

/** The top wait states of one role, as "Lock:transactionid 62 %, running 30 %". */
export function topWaits(samples: Record<string, number>, count = 3): string {
  const total = Object.values(samples).reduce((a, b) => a + b, 0);
  if (!total) return "none sampled";
  return Object.entries(samples)
    .sort((a, b) => b[1] - a[1])
    .slice(0, count)
    .map(([wait, n]) => `${wait} ${Math.round((n / total) * 100)} %`)
    .join(", ");
}

/** The per-scenario evidence lines: WAL, checkpoints, HOT updates, waits, the migrator's batches. */
function evidence(row: ScenarioRow): string {
  const parts = [
    `WAL ${int(row.walBytes / 2 ** 20)} MB, ${row.checkpoints} checkpoint(s) (server-wide)`,
    `HOT ${row.table.updates ? Math.round((row.table.hotUpdates / row.table.updates) * 100) : 0} % of ${int(row.table.updates)} updates`,
    `table ${int(row.table.totalBytes / 2 ** 20)} MB after`,
    `load waits: ${topWaits(row.waits.load)}`,
  ];
  if (row.id !== "idle") parts.push(`backfill waits: ${topWaits(row.waits.backfill)}`);
  if (row.batches) {
    const b = row.batches;
    parts.push(`${b.seen} batches seen, size median ${int(b.medianSize)} (max ${int(b.maxSize)}) rows, ${int(b.medianMs)} ms median (max ${int(b.maxMs)} ms)`);
  }
  if (row.phases) {
    const p = row.phases;
    parts.push(`wall = start-up ${int(p.startup)} ms + count(*) and first batch ${int(p.count)} ms + batches ${int(p.batches)} ms + exit ${int(p.exit)} ms`);
  }
  if (row.batchRowsPerSecond) parts.push(`${int(row.batchRowsPerSecond)} rows/s over the batches alone`);
  if (row.runs > 1 && row.rowsPerSecond !== null) {
    const each = (values: number[], text: (v: number) => string) => values.map((v) => (Number.isNaN(v) ? "–" : text(v))).join(" / ");
    parts.push(`per round: rows/s ${each(row.perRun.rowsPerSecond, int)}; load max ${each(row.perRun.loadMaxMs, int)} ms${row.windows ? `; last slower ${each(row.perRun.slowdown, (v) => `${v.toFixed(2)}×`)}` : ""}`);
  }
  if (row.maxCommitGapMs !== undefined) parts.push(`longest gap between commits ${int(row.maxCommitGapMs)} ms`);
  return `${row.label}: ${parts.join("; ")}`;
}

/** The human report: measurements, targets, evidence, and how it was measured. */
export function renderText(rows: ScenarioRow[], checks: TargetCheck[], notes: string[]): string {
  const measurements = table(
    ["scenario", "wall s", "rows/s", "vs DO loop", "load n", "p50 ms", "p99 ms", "max ms", ">100 ms (stall)", "first 10 % rows/s", "last 10 % rows/s", "last slower"],
    rows.map((r) => [
      r.label,
      (r.wallMs / 1000).toFixed(1),
      r.rowsPerSecond === null ? "–" : int(r.rowsPerSecond),
      r.ratioVsDoLoop === null ? "–" : `${r.ratioVsDoLoop.toFixed(2)}×`,
      int(r.load.count),
      ms(r.load.p50),
      ms(r.load.p99),
      ms(r.load.max),
      `${int(r.load.over100)} (${int(r.load.over100InStalls)})`,
      r.windows ? int(r.windows.firstRate) : "–",
      r.windows ? int(r.windows.lastRate) : "–",
      r.windows ? `${r.windows.slowdown.toFixed(2)}×` : "–",
    ]),
    new Set([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]),
  );
  const targets = table(
    ["target (migrator)", "measured", "result"],
    checks.map((c) => [c.target, c.value, c.pass ? "PASS" : "MISS"]),
    new Set([1]),
  );
  return `${measurements}\n\n${targets}\n\n${rows.map((r) => `- ${evidence(r)}`).join("\n")}\n\n${notes.map((n) => `- ${n}`).join("\n")}\n`;
}
