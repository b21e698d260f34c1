// `pnpm bench:api`: GET /posts?limit=20 through the app (Prisma) against the same route answered with
// raw `pg` (the floor), in one server process, on the same seeded data, at fixed concurrency for a
// fixed time with autocannon on loopback. Prints req/s and latency for each and the ratio; the target
// is ≥ 70% of the floor's throughput. Each side's time is cut into short slices run back to back in
// ABBA order (floor, app, app, floor, …): the target is checked on the median of the slice pairs'
// ratios (each app slice over the floor slice next to it), because the benchmark machine's speed swings
// by up to 2× within seconds (the same route's CPU per request went from 348 to 769 µs between two
// slices of one run) and a pair measured seconds apart sees the same machine. It also reports the
// server's CPU time per request on each side, the same way.
// Options: --duration <s> per side (20), --connections <n> (50), --slices <n> per side (10),
// --posts <n> (5000), --warmup <s> (2), --node <version or path> (the server's Node.js: this one by
// default; a version such as 26.10.0, the production image's, is installed with npx from the npm
// registry). Exit 0 when the run completed (PASS or MISS), 1 on errors.
import { execFileSync, spawn } from "node:child_process";
import { accessSync, constants } from "node:fs";
import { createRequire } from "node:module";
import { fileURLToPath, pathToFileURL } from "node:url";
import { createTestDatabase, redactUrl, testServerUrl } from "@repo/dev-postgres";
import autocannon from "autocannon";
import { deployAll } from "../src/dev/deploy-all.ts";
import { median, optionError, parseOptions, run, say, wholeNumber } from "./common.ts";
import { RAW_POSTS_PATH } from "./raw-posts.ts";
import { seedPosts } from "./seed-posts.ts";

const TARGET = 0.7;
const values = parseOptions({
  duration: { type: "string", default: "20" },
  connections: { type: "string", default: "50" },
  posts: { type: "string", default: "5000" },
  warmup: { type: "string", default: "2" },
  slices: { type: "string", default: "10" },
  node: { type: "string" },
});
const duration = wholeNumber("duration", values.duration);
const connections = wholeNumber("connections", values.connections);
const postCount = wholeNumber("posts", values.posts);
const warmup = wholeNumber("warmup", values.warmup, 0);
const slices = wholeNumber("slices", values.slices);

/**
 * The node binary the server runs on: `--node`'s path, or node@<version> installed by npx from the npm
 * registry (cached by npm after the first run), or this process's.
 */
function serverNode(spec: string | undefined): string {
  if (spec === undefined) return process.execPath;
  if (spec.includes("/")) {
    try {
      accessSync(spec, constants.X_OK);
    } catch {
      optionError(`--node ${spec}: no executable file there. Pass the path of a node binary, or a version such as 26.10.0.`);
    }
    return spec;
  }
  if (!/^\d+(\.\d+){0,2}$/.test(spec)) optionError(`--node ${spec}: a version such as 26.10.0, or the path of a node binary, please`);
  say(`Installing node@${spec} with npx (from the npm registry; cached after the first run)…`);
  try {
    return execFileSync("npx", ["--yes", "--package", `node@${spec}`, "--", "node", "--print", "process.execPath"], {
      encoding: "utf8",
      stdio: ["ignore", "pipe", "pipe"],
    }).trim();
  } catch (error) {
    const detail = (error as { stderr?: string }).stderr?.trim().split("\n").slice(-3).join(" ") ?? String(error);
    optionError(`--node ${spec}: npx could not install node@${spec} (${detail}). Check the version and the npm registry, or pass the path of a node binary.`);
  }
}
const nodeBinary = serverNode(values.node);

interface BenchServer {
  url: string;
  /** The server's Node.js version. */
  node: string;
  /** The server process's CPU time so far (user + system), in microseconds. */
  cpuMicros(): Promise<number>;
  stop(): Promise<void>;
}

/** Starts bench/server.ts and resolves with its URL, a CPU-time probe and a stop function. */
async function startServer(databaseUrl: string): Promise<BenchServer> {
  const tsx = createRequire(import.meta.url).resolve("tsx");
  const child = spawn(nodeBinary, ["--import", pathToFileURL(tsx).href, fileURLToPath(new URL("server.ts", import.meta.url))], {
    env: { ...process.env, DATABASE_URL: databaseUrl, NODE_ENV: "production" },
    // Logs (stdout) are discarded, as a log shipper would take them away; the URL comes over IPC.
    stdio: ["ignore", "ignore", "inherit", "ipc"],
  });
  const exited = new Promise<void>((resolve) => child.on("exit", () => resolve()));
  const { url, node } = await new Promise<{ url: string; node: string }>((resolve, reject) => {
    child.on("exit", (code) => reject(new Error(`the bench server exited with code ${code}`)));
    child.on("message", (message: { url?: string; node?: string }) => {
      if (message.url && message.node) resolve({ url: message.url, node: message.node });
    });
  });
  return {
    url,
    node,
    cpuMicros: () =>
      new Promise<number>((resolve) => {
        const onMessage = (message: { cpuMicros?: number }) => {
          if (message.cpuMicros === undefined) return;
          child.off("message", onMessage);
          resolve(message.cpuMicros);
        };
        child.on("message", onMessage);
        child.send({ cpu: true });
      }),
    stop: async () => {
      child.kill("SIGTERM");
      await exited;
    },
  };
}

interface Measured {
  label: string;
  requests: number;
  seconds: number;
  /** Per slice, to report the median and the worst. */
  p50s: number[];
  p99s: number[];
  /** Per slice, in order: req/s and the server's CPU µs per request, to pair with the other side's. */
  rates: number[];
  cpuPerRequest: number[];
  errors: number;
  /** The server's CPU time over the slices, in microseconds. */
  cpuMicros: number;
}

/** Runs one slice against `url`, adding its counts to `into`; `report` prints the slice on stderr. */
async function measure(into: Measured, server: BenchServer, url: string, seconds: number, report = false): Promise<void> {
  const before = await server.cpuMicros();
  const result = await autocannon({ url, connections, duration: seconds, pipelining: 1 });
  const cpuMicros = (await server.cpuMicros()) - before;
  if (report) say(`  ${into.label.padEnd(16)}${Math.round(result.requests.total / result.duration).toLocaleString("en-US").padStart(8)} req/s${Math.round(cpuMicros / Math.max(result.requests.total, 1)).toString().padStart(7)} µs CPU/req`);
  into.cpuMicros += cpuMicros;
  into.requests += result.requests.total;
  into.seconds += result.duration;
  into.p50s.push(result.latency.p50);
  into.p99s.push(result.latency.p99);
  into.rates.push(result.requests.total / result.duration);
  into.cpuPerRequest.push(cpuMicros / Math.max(result.requests.total, 1));
  into.errors += result.errors + result.non2xx;
}

const measured = (label: string): Measured => ({ label, requests: 0, seconds: 0, p50s: [], p99s: [], rates: [], cpuPerRequest: [], errors: 0, cpuMicros: 0 });
const percent = (value: number) => `${(value * 100).toFixed(1)}%`;

async function main(): Promise<number> {
  const server = await testServerUrl({ log: say });
  const database = await createTestDatabase(server.url, { prefix: "bench_api_" });
  say(`Database ${redactUrl(database.url)}: migrating, then seeding ${postCount} posts…`);
  let api: BenchServer | undefined;
  try {
    await deployAll(database.url);
    await seedPosts(database.url, postCount);
    api = await startServer(database.url);
    const appUrl = `${api.url}/posts?limit=20`;
    const rawUrl = `${api.url}${RAW_POSTS_PATH}?limit=20`;

    const [appBody, rawBody] = await Promise.all([fetch(appUrl).then((r) => r.text()), fetch(rawUrl).then((r) => r.text())]);
    if (appBody !== rawBody) throw new Error(`The two routes answer differently:\napp: ${appBody.slice(0, 300)}\nraw: ${rawBody.slice(0, 300)}`);

    if (warmup > 0) {
      say(`Warming up (${warmup} s each)…`);
      await measure(measured("warmup"), api, rawUrl, warmup);
      await measure(measured("warmup"), api, appUrl, warmup);
    }
    const slice = duration / slices;
    say(`Measuring GET /posts?limit=20: ${connections} connections, ${duration} s each in ${slices} slices (ABBA order)…`);
    const raw = measured("raw pg (floor)");
    const app = measured("app (Prisma)");
    for (let i = 0; i < slices; i++) {
      const order = i % 2 === 0 ? [raw, app] : [app, raw];
      for (const side of order) await measure(side, api, side === raw ? rawUrl : appUrl, slice, true);
    }

    const rps = (m: Measured) => m.requests / m.seconds;
    const cpuPerRequest = (m: Measured) => m.cpuMicros / Math.max(m.requests, 1);
    // Slice i of each side ran back to back (ABBA): pair them.
    const pairRatios = app.rates.map((rate, i) => rate / (raw.rates[i] ?? Number.NaN));
    const cpuPairRatios = raw.cpuPerRequest.map((cpu, i) => cpu / (app.cpuPerRequest[i] ?? Number.NaN));
    const ratio = median(pairRatios);
    const spread = (values: number[]) => `${percent(Math.min(...values))}–${percent(Math.max(...values))}`;
    const row = (m: Measured) =>
      `${m.label.padEnd(16)}${Math.round(rps(m)).toLocaleString("en-US").padStart(10)}${median(m.p50s).toFixed(1).padStart(10)}${median(m.p99s).toFixed(1).padStart(10)}${Math.max(...m.p99s).toFixed(1).padStart(14)}${String(m.errors).padStart(8)}${Math.round(cpuPerRequest(m)).toString().padStart(13)}`;
    process.stdout.write(
      [
        "",
        `GET /posts?limit=20 · ${connections} connections · ${duration} s each (${slices} slices, ABBA) · ${postCount} posts · server on node ${api.node}`,
        `${"".padEnd(16)}${"req/s".padStart(10)}${"p50 ms".padStart(10)}${"p99 ms".padStart(10)}${"worst p99 ms".padStart(14)}${"errors".padStart(8)}${"CPU µs/req".padStart(13)}`,
        row(raw),
        row(app),
        `${"app / floor".padEnd(16)}${percent(ratio).padStart(10)}   ${ratio >= TARGET ? "PASS" : "MISS"} (target ≥ ${TARGET * 100}% of the floor's req/s: the median of ${pairRatios.length} back-to-back slice pairs, ${spread(pairRatios)}; all requests pooled: ${percent(rps(app) / rps(raw))})`,
        `${"CPU floor / app".padEnd(16)}${percent(median(cpuPairRatios)).padStart(10)}   (the server's CPU time per request, floor's over app's, the same way; pooled: ${percent(cpuPerRequest(raw) / cpuPerRequest(app))})`,
        "(req/s, CPU: all slices pooled; p50 and p99: the median over the slices; worst p99: the slowest slice)",
        "",
      ].join("\n"),
    );
    if (raw.errors || app.errors) {
      say("Some requests failed (errors or non-2xx responses): the numbers above are not trustworthy.");
      return 1;
    }
    return 0;
  } finally {
    await api?.stop();
    await database.drop();
    await server.stop?.();
  }
}

run(main);
