// `pnpm bench:backfill`: backfills a 2M-row table three ways (the migrator's ctx.batch, one big UPDATE,
// a server-side DO loop) while a load generator updates single rows of the same table, and reports
// throughput, the load's latency and whether the backfill slows down as it goes, against the issue's targets.
import os from "node:os";
import { performance } from "node:perf_hooks";
import { parseArgs } from "node:util";
import { redactUrl } from "@repo/redact";
import { count, runBenchmark, type BenchmarkSession } from "../harness.ts";
import { bigUpdate, doLoop, migrator, writeMigrations, type Contender } from "./contenders.ts";
import { DEFAULT_SERVER_URL, openDatabases } from "./databases.ts";
import { checkTargets, renderText, TARGETS } from "./report.ts";
import { LEAD_MS, runScenario, SAMPLE_MS, type Measured } from "./scenario.ts";
import { summarise } from "./summary.ts";

const USAGE = `Usage: pnpm bench:backfill [--runs N] [--rows N] [--payload N] [--clients N] [--rate N] [--idle-seconds N]
                           [--do-batch N] [--target-batch-ms N] [--json]

  --runs N             rounds of the three contenders, each round in a different order (default 3)
  --rows N             rows in the table, all backfilled (default 2000000)
  --payload N          width of each row's text payload, bytes (default 160)
  --clients N          load-generator connections (default 4)
  --rate N             statements per second per load client; 0 = as fast as each can (default 100)
  --idle-seconds N     how long the load runs alone first, for its idle baseline (default 5)
  --do-batch N         rows per commit of the DO-loop baseline (default 5000)
  --target-batch-ms N  the data migration passes targetBatchMs: N to ctx.batch (default: none, the engine's default)
  --json               one JSON object on stdout instead of the tables

Databases are created on BENCH_DATABASE_URL's server (default ${DEFAULT_SERVER_URL}) and dropped.
Exit codes: 0 measured (whether targets pass or miss), 1 a contender failed or the setup did, 2 usage.`;

interface Options {
  runs: number;
  rows: number;
  payload: number;
  clients: number;
  rate: number;
  idleSeconds: number;
  doBatch: number;
  targetBatchMs: number | undefined;
  json: boolean;
}

function parseOptions(argv: string[]): Options | undefined {
  const { values } = parseArgs({
    args: argv,
    options: {
      runs: { type: "string", default: "3" },
      rows: { type: "string", default: "2000000" },
      payload: { type: "string", default: "160" },
      clients: { type: "string", default: "4" },
      rate: { type: "string", default: "100" },
      "idle-seconds": { type: "string", default: "5" },
      "do-batch": { type: "string", default: "5000" },
      "target-batch-ms": { type: "string" },
      json: { type: "boolean", default: false },
      help: { type: "boolean", default: false },
    },
  });
  if (values.help) return undefined;
  return {
    runs: count("runs", values.runs, 1),
    rows: count("rows", values.rows, 10_000),
    payload: count("payload", values.payload, 1),
    clients: count("clients", values.clients, 1),
    rate: count("rate", values.rate, 0),
    idleSeconds: count("idle-seconds", values["idle-seconds"], 1),
    doBatch: count("do-batch", values["do-batch"], 1),
    targetBatchMs: values["target-batch-ms"] === undefined ? undefined : count("target-batch-ms", values["target-batch-ms"], 1),
    json: values.json,
  };
}

/** The load's bounds: no scenario's load runs longer than this, or more statements than this per client. */
const LOAD_MAX_MS = 5 * 60_000;
const LOAD_MAX_STATEMENTS = 500_000;
/** How often the migrator's progress is polled, ms. */
const POLL_MS = 20;

async function run(options: Options, { root, progress, track }: BenchmarkSession): Promise<void> {
  const serverUrl = process.env.BENCH_DATABASE_URL || DEFAULT_SERVER_URL;
  const started = performance.now();
  const loadBefore = os.loadavg();
  const databases = await openDatabases(serverUrl);
  track(databases);
  const dirs = await writeMigrations(root, options.targetBatchMs);
  progress(`Building a ${options.rows.toLocaleString("en")}-row template on ${redactUrl(serverUrl)} (PostgreSQL ${databases.serverVersion}) …`);
  const templateMs = await databases.buildTemplate(options.rows, options.payload);
  progress(`  template ready in ${(templateMs / 1000).toFixed(1)} s; load ${options.clients} clients × ${options.rate || "unthrottled"} statements/s`);

  const load = { clients: options.clients, ratePerClient: options.rate, rows: options.rows, payloadBytes: options.payload, maxMs: LOAD_MAX_MS, maxStatementsPerClient: LOAD_MAX_STATEMENTS };
  const contenders: Contender[] = [bigUpdate, doLoop(options.doBatch), migrator(dirs, POLL_MS, options.targetBatchMs)];
  const measured: Measured[] = [await runScenario(databases, load, undefined, 0, options.idleSeconds * 1000)];
  progress(`  idle load: p99 ${measured[0]?.run.load.p99.toFixed(1)} ms, max ${measured[0]?.run.load.max.toFixed(0)} ms`);
  for (let round = 0; round < options.runs; round++) {
    // Each round starts with a different contender, so drift (the machine's load, caches) favours none.
    const order = contenders.map((_, i) => contenders[(i + round) % contenders.length] as Contender);
    const line: string[] = [];
    for (const contender of order) {
      const result = await runScenario(databases, load, contender, round, 0);
      measured.push(result);
      line.push(`${contender.id} ${(result.run.wallMs / 1000).toFixed(1)} s (${Math.round(result.run.rowsPerSecond ?? 0).toLocaleString("en")} rows/s, load max ${result.run.load.max.toFixed(0)} ms)`);
    }
    progress(`  round ${round + 1}/${options.runs}: ${line.join(", ")}`);
  }
  const rows = summarise(measured);
  const checks = checkTargets(rows);

  const loadAfter = os.loadavg();
  const cpus = os.cpus().length;
  const idle = rows.find((r) => r.id === "idle");
  const notes: string[] = [];
  // The load average after includes this benchmark's own work (a backend busy backfilling, the load,
  // node): judge the machine by the average before, the idle baseline and the DO loop's spread.
  const floor = rows.find((r) => r.id === "do-loop");
  const floorRates = floor?.perRun.rowsPerSecond ?? [];
  const floorSpread = floor?.rowsPerSecond ? (Math.max(...floorRates) - Math.min(...floorRates)) / floor.rowsPerSecond : 0;
  const loadText = `1-minute load average ${(loadBefore[0] ?? 0).toFixed(1)} before, ${(loadAfter[0] ?? 0).toFixed(1)} after (this benchmark included), on ${cpus} CPUs; idle load p99 ${idle?.load.p99.toFixed(1)} ms; the DO loop's rows/s spread ${Math.round(floorSpread * 100)} % over rounds`;
  if ((loadBefore[0] ?? 0) > cpus * 0.75 || (idle && idle.load.p99 > 20) || floorSpread > 0.25) {
    notes.push(`NOISY: the machine was busy (${loadText}): compare the per-round values above, and rerun on a quiet machine (or with more --runs) before trusting a PASS or a MISS near its line.`);
  } else {
    notes.push(`Machine load: ${loadText}.`);
  }
  if (rows.some((r) => r.load.cappedEarly)) notes.push(`The load hit its bound (${LOAD_MAX_MS / 1000} s or ${LOAD_MAX_STATEMENTS.toLocaleString("en")} statements per client) before a backfill ended: its latencies cover only part of that backfill.`);
  if (rows.some((r) => r.load.errors)) notes.push(`Load statements failed: ${rows.map((r) => `${r.label} ${r.load.errors}`).join(", ")}.`);
  notes.push(
    `${options.runs} round(s), each contender once per round in a rotating order; rates are medians over rounds, "vs DO loop" the median of each round's ratio, latencies pooled over every round's statements (max = the worst one seen).`,
    `Each scenario on a fresh copy (CREATE DATABASE … TEMPLATE) of a ${options.rows.toLocaleString("en")}-row items(id bigint primary key, category_id int null, payload text (${options.payload} bytes), touched int) table, frozen and analysed; every contender sets category_id = 1 WHERE category_id IS NULL, and every row is checked afterwards.`,
    `Load: ${options.clients} connections, each ${options.rate ? `${options.rate} statements/s (paced, no catch-up bursts)` : "a loop as fast as it can go"} of UPDATE items SET payload = …, touched = touched + 1 WHERE id = <uniform random>, started ${LEAD_MS} ms before the backfill and stopped when it ended; p50/p99/max over the statements that started during the backfill (the idle row: ${options.idleSeconds} s of load alone). ">100 ms (stall)": statements over 100 ms, and in brackets those overlapping a moment when every load client was stuck in a statement over 50 ms: a server-wide stall such as a checkpoint's fsync, which holds every commit (a row lock held by the batch in flight holds only the statement that hit one of its rows).`,
    `Wall time: the big UPDATE and the DO loop from sending the statement to its result, on an open connection; the migrator from spawning \`node apps/migrator/bin/migrator.js --json … deploy\` (the real process, TypeScript through tsx; a harmless anchor schema migration, then the data migration with ${options.targetBatchMs ? `targetBatchMs: ${options.targetBatchMs}` : "ctx.batch's defaults: target 200 ms, first batch 1,000 rows, at most 50,000"}) to its exit, so its start-up, lock, bookkeeping tables and initial count(*) are in it.`,
    `First/last 10 %: rows per second between the first observed commit and 10 % of rows, and between 90 % and the last commit (interpolated). The migrator's commits are read by polling _data_migrations.rows_done every ${POLL_MS} ms; the DO loop's from a NOTICE it raises after each COMMIT.`,
    `Server: ${Object.entries(databases.settings).map(([k, v]) => `${k}=${v}`).join(", ")}. Waits are pg_stat_activity samples every ${SAMPLE_MS} ms of active backends.`,
    `Targets (issue, on the migrator): rows/s ≥ ${TARGETS.minRatioVsDoLoop}× the DO loop's; load max latency ≤ ${TARGETS.maxLoadLatencyMs} ms; last 10 % no more than ${TARGETS.maxSlowdown}× slower than the first 10 %. Total time ${((performance.now() - started) / 1000).toFixed(0)} s.`,
  );
  if (options.json) {
    const environment = { node: process.version, platform: `${process.platform}-${process.arch}`, cpus, cpuModel: os.cpus()[0]?.model ?? null, loadavgBefore: loadBefore, loadavgAfter: loadAfter, server: redactUrl(serverUrl), serverVersion: databases.serverVersion, settings: databases.settings };
    const runs = measured.map((m) => m.run);
    process.stdout.write(`${JSON.stringify({ config: { ...options, templateMs }, environment, targets: TARGETS, rows, checks, notes, runs })}\n`);
  } else {
    process.stdout.write(renderText(rows, checks, notes));
  }
}

process.exitCode = await runBenchmark({ name: "bench:backfill", usage: USAGE, parse: parseOptions, run }, process.argv.slice(2));
