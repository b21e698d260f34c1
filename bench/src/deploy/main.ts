// `pnpm bench:deploy`: times `migrator deploy` against `prisma migrate deploy` and a psql floor on
// synthetic migrations, each as a whole process on fresh databases, and checks the issue's targets.
import { existsSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import { redactUrl } from "@repo/redact";
import { count, runBenchmark, type BenchmarkSession } from "../harness.ts";
import { DEFAULT_SERVER_URL, openDatabases, type Databases } from "./databases.ts";
import { TABLE_PREFIX, writeFixture, type Fixture } from "./fixtures.ts";
import { GNU_TIME, measure, type Command, type Sample } from "./measure.ts";
import { buildRows, checkTargets, NOISY_SPREAD, renderText, TARGETS, type Scenario } from "./report.ts";
import { baseEnv, builtMigrators, prismaTool, psqlTool, workspaceMigrator, type Tool } from "./tools.ts";

const USAGE = `Usage: pnpm bench:deploy [--runs N] [--warmup N] [--migrations N] [--no-bundle] [--json]

  --runs N        measured runs per tool and scenario; the median is reported (default 5)
  --warmup N      unmeasured rounds first, to warm file and compile caches (default 1)
  --migrations N  synthetic migrations to generate (default 200)
  --no-bundle     skip the migrator's production build (apps/migrator's pnpm build)
  --json          one JSON object on stdout instead of the tables

Databases are created on BENCH_DATABASE_URL's server (default ${DEFAULT_SERVER_URL}) and dropped.
Exit codes: 0 measured (whether targets pass or miss), 1 a contender failed or the setup did, 2 usage.`;

interface Options {
  runs: number;
  warmup: number;
  migrations: number;
  bundle: boolean;
  json: boolean;
}

function parseOptions(argv: string[]): Options | undefined {
  const { values } = parseArgs({
    args: argv,
    options: {
      runs: { type: "string", default: "5" },
      warmup: { type: "string", default: "1" },
      migrations: { type: "string", default: "200" },
      "no-bundle": { type: "boolean", default: false },
      json: { type: "boolean", default: false },
      help: { type: "boolean", default: false },
    },
  });
  if (values.help) return undefined;
  return {
    runs: count("runs", values.runs, 1),
    warmup: count("warmup", values.warmup, 0),
    migrations: count("migrations", values.migrations, 5),
    bundle: !values["no-bundle"],
    json: values.json,
  };
}


/** Runs a contender and insists it did what it claims; a benchmark of a failing command measures nothing. */
async function measured(tool: Tool, scenario: Scenario, command: Command, scratch: string): Promise<Sample> {
  const sample = await measure(command, scratch);
  const ok = sample.exitCode === 0 && (scenario === "apply-all" || !tool.noopSays || sample.stdout.includes(tool.noopSays) || sample.stderr.includes(tool.noopSays));
  if (!ok) {
    throw new Error(`${tool.label}, ${scenario}: exit code ${sample.exitCode}\n$ ${[command.file, ...command.args].join(" ")}\n${sample.stdout}${sample.stderr}`.trimEnd());
  }
  return sample;
}

/** `node -e 0`, measured like the contenders: the start-up every Node program pays. */
async function nodeStart(scratch: string): Promise<number> {
  const sample = await measure({ file: process.execPath, args: ["-e", "0"], cwd: os.tmpdir(), env: baseEnv() }, scratch);
  if (sample.exitCode !== 0) throw new Error(`node -e 0 exited with ${sample.exitCode}: ${sample.stderr}`);
  return sample.wallMs;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  if (!sorted.length) return Number.NaN;
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? (sorted[middle] as number) : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2;
}

async function checkApplied(databases: Databases, tool: Tool, url: string, fixture: Fixture): Promise<void> {
  const { tables, finishedMigrations } = await databases.contents(url, TABLE_PREFIX);
  const expected = tool.recordsHistory ? fixture.migrationCount : 0;
  if (tables !== fixture.tableCount || finishedMigrations !== expected) {
    throw new Error(`${tool.label}: after apply-all the database has ${tables} tables and ${finishedMigrations} recorded migrations; expected ${fixture.tableCount} and ${expected}.`);
  }
}

async function run(options: Options, { root, progress, track }: BenchmarkSession): Promise<void> {
  const serverUrl = process.env.BENCH_DATABASE_URL || DEFAULT_SERVER_URL;
  const fixture = await writeFixture(root, options.migrations);
  const notes: string[] = [];
  const tools: Tool[] = [workspaceMigrator(fixture)];
  if (options.bundle) {
    try {
      tools.push(...(await builtMigrators(fixture, path.join(root, "migrator"))));
    } catch (error) {
      notes.push(`The migrator's production build was skipped: ${(error as Error).message.split("\n")[0]}`);
    }
  }
  tools.push(prismaTool(fixture), psqlTool(fixture));
  const databases = await openDatabases(serverUrl);
  track(databases);
  progress(`${fixture.migrationCount} migrations (${fixture.tableCount} tables) in ${fixture.migrationsDir}; server ${redactUrl(serverUrl)}`);

  const nodeStartMs: number[] = [];
  const samples = new Map<string, Sample[]>();
  const warmups = new Map<string, Sample[]>();
  const rounds = options.warmup + options.runs;
  for (let round = 0; round < rounds; round++) {
    const into = round < options.warmup ? warmups : samples;
    const record = (scenario: Scenario, tool: Tool, sample: Sample) => {
      const key = `${scenario}/${tool.id}`;
      into.set(key, [...(into.get(key) ?? []), sample]);
    };
    // Each round starts with a different contender, so drift (caches, autovacuum) favours none.
    const order = tools.map((_, i) => tools[(i + round) % tools.length] as Tool);
    const times: string[] = [];
    for (const tool of order) {
      const url = await databases.create();
      const apply = await measured(tool, "apply-all", tool.applyAll(url), root);
      await checkApplied(databases, tool, url, fixture);
      const noop = await measured(tool, "no-op", tool.noop(url), root);
      await databases.drop(url);
      record("apply-all", tool, apply);
      record("no-op", tool, noop);
      times.push(`${tool.id} ${apply.wallMs.toFixed(0)}/${noop.wallMs.toFixed(0)} ms`);
    }
    // Node's own start on this machine in this round: the part of a no-op no Node program avoids.
    if (round >= options.warmup) nodeStartMs.push(await nodeStart(root));
    progress(`${round < options.warmup ? `warm-up ${round + 1}/${options.warmup}` : `run ${round - options.warmup + 1}/${options.runs}`}: ${times.join(", ")}`);
  }

  const rows = buildRows(tools, samples, warmups);
  const load = os.loadavg()[0] ?? 0;
  if (load > os.cpus().length * 0.75 || rows.some((r) => r.spread > NOISY_SPREAD)) {
    notes.push(`The machine was busy (1-minute load average ${load.toFixed(1)} on ${os.cpus().length} CPUs at the end; "noisy" rows spread more than ${NOISY_SPREAD * 100} % of their median): rerun on a quiet machine, or with more --runs, before trusting a PASS or a MISS near its line.`);
  }
  const checks = checkTargets(rows);
  const nodeStartMedian = median(nodeStartMs);
  const builtNoop = rows.find((r) => r.scenario === "no-op" && r.tool === "migrator-bundle");
  notes.push(
    `Node's own start here: \`node -e 0\` took ${nodeStartMedian.toFixed(0)} ms (median, once per round, measured the same way)${builtNoop ? `, so the built migrator's no-op spends ${(builtNoop.medianMs - nodeStartMedian).toFixed(0)} ms beyond it` : ""}. The no-op target is absolute: on a machine whose Node starts slower it leaves less room.`,
    ...(process.env.NODE_EXTRA_CA_CERTS
      ? [`This machine sets NODE_EXTRA_CA_CERTS (${process.env.NODE_EXTRA_CA_CERTS}); the contenders ran without it: Node parses that bundle at every start, and none of them makes a TLS connection.`]
      : []),
  );
  const haveTime = existsSync(GNU_TIME);
  notes.push(
    `Median of ${options.runs} runs after ${options.warmup} warm-up round(s); each run a whole process (spawn to exit, performance.now()) on a fresh database. no-op runs on the database its own apply-all just brought to head.`,
    "ratio: the median over runs of time ÷ the baseline's time in the same round (apply-all: the psql floor, all scripts in one transaction, no history recorded; no-op: prisma migrate deploy). JSON also has ratioOfMedians.",
    haveTime
      ? "peak RSS: the largest single process's peak (GNU time %M = wait4 ru_maxrss, which covers reaped descendants: for prisma the larger of the CLI and the schema engine). tree RSS: the process tree's summed VmRSS, polled every 5 ms (prisma's CLI and schema engine run at once)."
      : `peak RSS: n/a (${GNU_TIME} missing; apt-get install time). tree RSS: the process tree's summed VmRSS, polled every 5 ms; the RSS target uses it instead.`,
    "migrator (tsx) is how the workspace runs it: node apps/migrator/bin/migrator.js, TypeScript through tsx. migrator (built) is what ships: apps/migrator's production build (scripts/build.ts, as `pnpm build` makes it: esbuild, one CommonJS file run from V8's code cache by dist/main.js; libpg-query and tsx left out and resolved from the app's dependencies), run as node dist/main.js. Both keep script analyses (the built one also its compiled code) in the run's own cache folder (MIGRATOR_CACHE_DIR), filled by the first rounds, as a workspace's ~/.cache/migrator or an image's shipped analyses would be; migrator (built, no analysis cache) is the same build with MIGRATOR_CACHE_DIR=off: it loads the SQL parser and parses all 200 scripts on every run, as the first deploy of new migrations does, and runs from the code cache the build ships.",
    `Targets (issue): no-op ≤ ${TARGETS.noopMaxMs} ms and ≥ ${TARGETS.noopMinSpeedupVsPrisma}× faster than prisma; apply-all ≤ ${TARGETS.applyMaxRatioVsPsql}× the psql floor; peak RSS ≤ ${TARGETS.peakRssMaxMb} MB (max over both scenarios).`,
    `Warm-up round(s), not in the statistics (the first start in this run; the OS page cache and tsx's transform cache may be warm from earlier runs): ${rows.filter((r) => r.warmupMs.length).map((r) => `${r.scenario} ${r.tool} ${r.warmupMs.map((ms) => ms.toFixed(0)).join("/")} ms`).join("; ") || "none"}.`,
  );
  if (options.json) {
    const environment = { node: process.version, platform: `${process.platform}-${process.arch}`, cpus: os.cpus().length, cpuModel: os.cpus()[0]?.model ?? null, server: redactUrl(serverUrl) };
    const config = { runs: options.runs, warmup: options.warmup, migrations: fixture.migrationCount, tables: fixture.tableCount };
    process.stdout.write(`${JSON.stringify({ config, environment, targets: TARGETS, rows, checks, notes })}\n`);
  } else {
    process.stdout.write(renderText(rows, checks, notes));
  }
}

process.exitCode = await runBenchmark({ name: "bench:deploy", usage: USAGE, parse: parseOptions, run }, process.argv.slice(2));
