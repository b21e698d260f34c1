// `pnpm bench:queries`: where the API's list route spends its database time, without HTTP. In one process,
// on the seeded data of `pnpm bench:api`, it reads the first page of posts (`limit` + 1 rows) as JSON, the
// way GET /posts does, through four layers, and reports the CPU each costs per query:
//   pg          plain `pg`, a named statement, rows as objects (bench:api's floor, bench/raw-posts.ts);
//   adapter     Prisma's driver adapter (@prisma/adapter-pg) alone, on listPosts' query text;
//   $queryRaw   Prisma Client on that adapter: the API's listPosts (src/routes/post-list.ts);
//   findMany    the same page through Prisma's query builder (its query plans cached after the first).
// Each layer runs `--batch` queries, `--concurrency` at a time, per round; rounds alternate the layers'
// order (ABBA), and each layer's CPU per query is the median over `--rounds` rounds: this machine's speed
// swings within seconds, and layers measured side by side see the same machine. Also reports the time in
// garbage collection per query. It prints no target: bench:api holds the API's (≥ 70% of the floor).
// Options: --rounds <n> (40), --batch <n> (200), --concurrency <n> (50), --limit <n> (20), --posts <n> (5000).
// Exit 0 when the run completed, 1 on errors.
import { PerformanceObserver } from "node:perf_hooks";
import { PrismaPg } from "@prisma/adapter-pg";
import { createDb } from "@repo/db/client";
import { createTestDatabase, redactUrl, testServerUrl } from "@repo/dev-postgres";
import pg from "pg";
import { deployAll } from "../src/dev/deploy-all.ts";
import { listPosts, postColumns, postListQuery } from "../src/routes/post-list.ts";
import { median, optionError, parseOptions, run, say, wholeNumber } from "./common.ts";
import { queryRawPosts } from "./raw-posts.ts";
import { seedPosts } from "./seed-posts.ts";

const values = parseOptions({
  rounds: { type: "string", default: "40" },
  batch: { type: "string", default: "200" },
  concurrency: { type: "string", default: "50" },
  limit: { type: "string", default: "20" },
  posts: { type: "string", default: "5000" },
});
const rounds = wholeNumber("rounds", values.rounds);
const batch = wholeNumber("batch", values.batch);
const concurrency = wholeNumber("concurrency", values.concurrency);
const limit = wholeNumber("limit", values.limit);
const posts = wholeNumber("posts", values.posts);
if (limit > 100) optionError("--limit: at most 100, the API's largest page");

/** Garbage collection time so far, in milliseconds (V8's pauses on the main thread). */
let gcMillis = 0;
new PerformanceObserver((list) => {
  for (const entry of list.getEntries()) gcMillis += entry.duration;
}).observe({ entryTypes: ["gc"] });

type Layer = { name: string; run: () => Promise<string> };

/** Runs `batch` calls of `run`, `concurrency` at a time; returns CPU and GC microseconds per call. */
async function measure(run: () => Promise<string>): Promise<{ cpu: number; gc: number }> {
  let started = 0;
  const cpuBefore = process.cpuUsage();
  const gcBefore = gcMillis;
  await Promise.all(
    Array.from({ length: Math.min(concurrency, batch) }, async () => {
      while (started < batch) {
        started++;
        await run();
      }
    }),
  );
  const cpu = process.cpuUsage(cpuBefore);
  return { cpu: (cpu.user + cpu.system) / batch, gc: ((gcMillis - gcBefore) * 1000) / batch };
}

async function main(): Promise<number> {
  const server = await testServerUrl({ log: say });
  const database = await createTestDatabase(server.url, { prefix: "bench_queries_" });
  say(`Database ${redactUrl(database.url)}: migrating, then seeding ${posts} posts…`);
  const pool = new pg.Pool({ connectionString: database.url, max: 10, application_name: "bench (raw pg)" });
  const db = createDb({ url: database.url, poolSize: 10, errorFormat: "minimal", applicationName: "bench (prisma)" });
  const factory = new PrismaPg({ connectionString: database.url, max: 10, application_name: "bench (adapter)" });
  const adapter = await factory.connect();
  try {
    await deployAll(database.url);
    await seedPosts(database.url, posts);

    const page = { limit, cursor: undefined };
    const query = postListQuery(page, {});
    const layers: Layer[] = [
      { name: "pg", run: async () => JSON.stringify(await queryRawPosts(pool, page)) },
      {
        name: "adapter",
        run: async () => JSON.stringify((await adapter.queryRaw({ sql: query.text, args: query.values, argTypes: query.values.map(() => ({ scalarType: "int", arity: "scalar" })) })).rows),
      },
      { name: "$queryRaw", run: async () => JSON.stringify(await listPosts(db, page, {})) },
      {
        name: "findMany",
        run: async () => JSON.stringify(await db.post.findMany({ select: postColumns, where: { isDeleted: false }, orderBy: { id: "asc" }, take: limit + 1 })),
      },
    ];

    // The layers must read the same page: the same JSON from all but the adapter (rows as arrays of text).
    const [floor, adapterPage, raw, builder] = await Promise.all(layers.map((layer) => layer.run()));
    if (raw !== floor || builder !== floor) throw new Error(`The layers read different pages:\npg: ${floor?.slice(0, 200)}\n$queryRaw: ${raw?.slice(0, 200)}\nfindMany: ${builder?.slice(0, 200)}`);
    if ((JSON.parse(adapterPage!) as unknown[]).length !== (JSON.parse(floor!) as unknown[]).length) throw new Error("The adapter read a different number of rows than pg");

    say(`Warming up, then ${rounds} rounds of ${batch} queries per layer, ${concurrency} at a time (ABBA order)…`);
    for (let i = 0; i < 3; i++) for (const layer of layers) await measure(layer.run);
    const cpu = new Map(layers.map((layer) => [layer.name, [] as number[]]));
    const gc = new Map(layers.map((layer) => [layer.name, [] as number[]]));
    for (let round = 0; round < rounds; round++) {
      for (const layer of round % 2 === 0 ? layers : [...layers].reverse()) {
        const result = await measure(layer.run);
        cpu.get(layer.name)!.push(result.cpu);
        gc.get(layer.name)!.push(result.gc);
      }
    }

    const floorCpu = median(cpu.get("pg")!);
    const lines = [
      "",
      `${limit + 1} rows a query · ${concurrency} at a time · ${rounds} rounds of ${batch} · ${posts} posts · node ${process.version}`,
      `${"layer".padEnd(11)}${"CPU µs/query".padStart(13)}${"over pg".padStart(10)}${"GC µs/query".padStart(13)}  ${"pg / layer".padStart(10)}`,
    ];
    for (const layer of layers) {
      const own = median(cpu.get(layer.name)!);
      const isFloor = layer.name === "pg";
      const over = isFloor ? "" : `${own >= floorCpu ? "+" : ""}${(own - floorCpu).toFixed(0)}`;
      const ratio = `${((floorCpu / own) * 100).toFixed(1)}%${isFloor ? " (baseline)" : ""}`;
      lines.push(`${layer.name.padEnd(11)}${own.toFixed(0).padStart(13)}${over.padStart(10)}${median(gc.get(layer.name)!).toFixed(0).padStart(13)}  ${ratio.padStart(10)}`);
    }
    lines.push("(medians over the rounds; CPU is the process's, user + system, GC helper threads included)", "");
    process.stdout.write(lines.join("\n"));
    return 0;
  } finally {
    await Promise.allSettled([pool.end(), db.$disconnect(), adapter.dispose()]);
    await database.drop();
    await server.stop?.();
  }
}

run(main);
