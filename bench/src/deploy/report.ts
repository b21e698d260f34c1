// Turns samples into the benchmark's verdict: per scenario and tool the median, spread and memory,
// ratios against the baselines measured in the same run, and the issue's targets as PASS/MISS.
import type { Sample } from "./measure.ts";
import type { Tool, ToolId } from "./tools.ts";

export type Scenario = "apply-all" | "no-op";

export const TARGETS = {
  noopMaxMs: 150,
  noopMinSpeedupVsPrisma: 9,
  applyMaxRatioVsPsql: 1.3,
  peakRssMaxMb: 120,
} as const;

export interface Row {
  scenario: Scenario;
  tool: ToolId;
  label: string;
  runs: number;
  medianMs: number;
  minMs: number;
  maxMs: number;
  /** Every measured run's wall time, in run order. */
  samplesMs: number[];
  /** The warm-up (first, cold-cache) runs' times, not in the statistics. */
  warmupMs: number[];
  /** Max over runs of the largest single process's peak RSS (kernel), MB; null without /usr/bin/time. */
  peakRssMb: number | null;
  /** Max over runs of the sampled peak of the process tree's summed RSS, MB. */
  treeRssMb: number;
  baseline: ToolId;
  /**
   * Median over runs of this run's time ÷ the baseline's time in the same round (measured minutes
   * apart at most), which cancels slow drift in the machine's load better than a ratio of medians.
   */
  ratio: number;
  /** medianMs ÷ the baseline's medianMs. */
  ratioOfMedians: number;
  /** (max − min) ÷ median: above NOISY_SPREAD the machine was not quiet enough to trust the numbers. */
  spread: number;
}

/** A spread of the runs above this fraction of the median marks a row as noisy. */
export const NOISY_SPREAD = 0.5;

export interface TargetCheck {
  tool: ToolId;
  target: string;
  /** The measured value, formatted, and as a number in the target's unit (ms, ×, MB). */
  value: string;
  actual: number;
  limit: number;
  pass: boolean;
}

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? (sorted[mid] as number) : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
};
const mb = (kb: number) => kb / 1024;

export function buildRows(tools: Tool[], samples: Map<string, Sample[]>, warmups: Map<string, Sample[]>): Row[] {
  const key = (scenario: Scenario, tool: ToolId) => `${scenario}/${tool}`;
  const timesOf = (scenario: Scenario, tool: ToolId) => (samples.get(key(scenario, tool)) ?? []).map((s) => s.wallMs);
  const rows: Row[] = [];
  for (const scenario of ["apply-all", "no-op"] as const) {
    const baseline: ToolId = scenario === "apply-all" ? "psql" : "prisma";
    for (const tool of tools) {
      const runs = samples.get(key(scenario, tool.id)) ?? [];
      const times = runs.map((s) => s.wallMs);
      const peaks = runs.map((s) => s.peakRssKb).filter((kb): kb is number => kb !== undefined);
      const medianMs = median(times);
      const baseTimes = timesOf(scenario, baseline);
      rows.push({
        scenario,
        tool: tool.id,
        label: tool.label,
        runs: runs.length,
        medianMs,
        minMs: Math.min(...times),
        maxMs: Math.max(...times),
        samplesMs: times,
        warmupMs: (warmups.get(key(scenario, tool.id)) ?? []).map((s) => s.wallMs),
        peakRssMb: peaks.length === runs.length && peaks.length ? mb(Math.max(...peaks)) : null,
        treeRssMb: mb(Math.max(...runs.map((s) => s.treeRssKb))),
        baseline,
        ratio: median(times.map((ms, i) => ms / (baseTimes[i] ?? Number.NaN))),
        ratioOfMedians: medianMs / median(baseTimes),
        spread: (Math.max(...times) - Math.min(...times)) / medianMs,
      });
    }
  }
  return rows;
}

/** The issue's targets, checked for each migrator build in the run. */
export function checkTargets(rows: Row[]): TargetCheck[] {
  const find = (scenario: Scenario, tool: ToolId) => rows.find((r) => r.scenario === scenario && r.tool === tool);
  const checks: TargetCheck[] = [];
  for (const tool of ["migrator", "migrator-bundle", "migrator-cold"] as const) {
    const noop = find("no-op", tool);
    const apply = find("apply-all", tool);
    const prismaNoop = find("no-op", "prisma");
    if (!noop || !apply || !prismaNoop) continue;
    const speedup = 1 / noop.ratio;
    const rss = Math.max(noop.peakRssMb ?? noop.treeRssMb, apply.peakRssMb ?? apply.treeRssMb);
    const atMost = (target: string, actual: number, limit: number, value: string) => ({ tool, target, value, actual, limit, pass: actual <= limit });
    checks.push(
      atMost(`no-op ≤ ${TARGETS.noopMaxMs} ms`, noop.medianMs, TARGETS.noopMaxMs, `${noop.medianMs.toFixed(0)} ms`),
      { ...atMost(`no-op ≥ ${TARGETS.noopMinSpeedupVsPrisma}× faster than prisma`, speedup, TARGETS.noopMinSpeedupVsPrisma, `${speedup.toFixed(1)}×`), pass: speedup >= TARGETS.noopMinSpeedupVsPrisma },
      atMost(`apply-all ≤ ${TARGETS.applyMaxRatioVsPsql}× psql floor`, apply.ratio, TARGETS.applyMaxRatioVsPsql, `${apply.ratio.toFixed(2)}×`),
      atMost(`peak RSS ≤ ${TARGETS.peakRssMaxMb} MB`, rss, TARGETS.peakRssMaxMb, `${rss.toFixed(0)} MB`),
    );
  }
  return checks;
}

function table(header: string[], body: string[][], rightAligned: Set<number>): string {
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((row) => (row[i] ?? "").length)));
  const line = (cells: string[]) => cells.map((cell, i) => (rightAligned.has(i) ? cell.padStart(widths[i] ?? 0) : cell.padEnd(widths[i] ?? 0))).join("  ").trimEnd();
  return [line(header), widths.map((w) => "-".repeat(w)).join("  "), ...body.map(line)].join("\n");
}

/** The human report: the measurements table, the targets table, and how it was measured. */
export function renderText(rows: Row[], checks: TargetCheck[], notes: string[]): string {
  const ms = (value: number) => value.toFixed(0);
  const measurements = table(
    ["scenario", "tool", "median ms", "min", "max", "peak RSS MB", "tree RSS MB", "ratio", ""],
    rows.map((r) => [
      r.scenario,
      r.label,
      ms(r.medianMs),
      ms(r.minMs),
      ms(r.maxMs),
      r.peakRssMb === null ? "n/a" : r.peakRssMb.toFixed(0),
      r.treeRssMb.toFixed(0),
      r.tool === r.baseline ? `1.00× (baseline)` : `${r.ratio.toFixed(2)}× ${r.baseline}`,
      r.spread > NOISY_SPREAD ? "noisy" : "",
    ]),
    new Set([2, 3, 4, 5, 6]),
  );
  const labels = new Map(rows.map((r) => [r.tool, r.label]));
  const targets = table(
    ["target", "tool", "measured", "result"],
    checks.map((c) => [c.target, labels.get(c.tool) ?? c.tool, c.value, c.pass ? "PASS" : "MISS"]),
    new Set([2]),
  );
  return `${measurements}\n\n${targets}\n\n${notes.map((n) => `- ${n}`).join("\n")}\n`;
}
