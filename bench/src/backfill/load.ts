// The application's side of a backfill: a few clients, each a paced loop of single-row UPDATEs at
// random ids of the table being backfilled, timing every statement; and a sampler of what the
// load's and the backfill's backends wait on, to say why a statement was slow.
import { performance } from "node:perf_hooks";
import { setTimeout as sleep } from "node:timers/promises";
import pg from "pg";
import { TABLE } from "./databases.ts";

export const LOAD_APPLICATION = "bench:backfill load";

export interface LoadOptions {
  url: string;
  clients: number;
  /** Statements per second per client; 0 runs each loop flat out. */
  ratePerClient: number;
  /** Ids are drawn uniformly from 1..rows. */
  rows: number;
  payloadBytes: number;
  /** Bounds: the load stops by itself after this long or this many statements per client. */
  maxMs: number;
  maxStatementsPerClient: number;
}

/** One statement: which client ran it, when it started (performance.now()) and how long it took, ms. */
export interface Timing {
  client: number;
  startedAt: number;
  ms: number;
}

export interface LoadResult {
  timings: Timing[];
  errors: number;
  /** Whether a bound (time or count) ended the load before stop() was called. */
  cappedEarly: boolean;
}

export interface Load {
  stop(): Promise<LoadResult>;
}

/** Connects every client, then starts the loops; resolves once they are running. */
export async function startLoad(options: LoadOptions): Promise<Load> {
  const clients = await Promise.all(
    Array.from({ length: options.clients }, async () => {
      const client = new pg.Client({ connectionString: options.url, application_name: LOAD_APPLICATION });
      client.on("error", () => {});
      await client.connect();
      // A bound on any one statement too, so a stuck run cannot hold the benchmark forever.
      await client.query(`SET statement_timeout = ${Math.max(1000, Math.round(options.maxMs))}`);
      return client;
    }),
  );
  const timings: Timing[] = [];
  let errors = 0;
  let stopped = false;
  let cappedEarly = false;
  const started = performance.now();
  const interval = options.ratePerClient > 0 ? 1000 / options.ratePerClient : 0;
  const text = `UPDATE ${TABLE} SET payload = $1, touched = touched + 1 WHERE id = $2`;
  const alphabet = "abcdefghijklmnopqrstuvwxyz0123456789";

  const loop = async (client: pg.Client, index: number) => {
    // The same width as the rows' payload, so the load's updates neither grow nor shrink rows.
    const payloads = Array.from({ length: 16 }, (_, i) => Array.from({ length: options.payloadBytes }, (_, j) => alphabet[(i * 7 + j * 13) % alphabet.length]).join(""));
    let next = performance.now();
    for (let count = 0; !stopped; count++) {
      if (count >= options.maxStatementsPerClient || performance.now() - started > options.maxMs) {
        cappedEarly = true;
        return;
      }
      const id = 1 + Math.floor(Math.random() * options.rows);
      const at = performance.now();
      try {
        await client.query({ name: "load", text, values: [payloads[count % payloads.length], id] });
        timings.push({ client: index, startedAt: at, ms: performance.now() - at });
      } catch {
        errors += 1;
      }
      if (interval) {
        // Paced, without bursts to catch up after a slow statement: the next starts no earlier than
        // one interval after the previous one was due.
        next = Math.max(next + interval, performance.now());
        const wait = next - performance.now();
        if (wait > 0) await sleep(wait);
      }
    }
  };
  const running = clients.map((client, index) => loop(client, index));

  return {
    async stop() {
      stopped = true;
      await Promise.all(running);
      await Promise.all(clients.map((client) => client.end().catch(() => {})));
      return { timings, errors, cappedEarly };
    },
  };
}

/** Counts of sampled wait states ("Lock:transactionid", "running" when not waiting), by role. */
export interface WaitSamples {
  load: Record<string, number>;
  backfill: Record<string, number>;
}

export interface Sampler {
  stop(): Promise<WaitSamples>;
}

/**
 * Samples pg_stat_activity every `everyMs` for the database at `url`: active backends of the load
 * (by application_name) and of everything else there but the benchmark's own observers (the
 * backfill, whichever contender it is).
 */
export async function startWaitSampler(url: string, everyMs: number): Promise<Sampler> {
  const client = new pg.Client({ connectionString: url, application_name: "bench:backfill (sampler)" });
  client.on("error", () => {});
  await client.connect();
  const samples: WaitSamples = { load: {}, backfill: {} };
  let stopped = false;
  const loop = (async () => {
    while (!stopped) {
      const { rows } = await client.query<{ role: "load" | "backfill"; wait: string }>(
        `SELECT CASE WHEN application_name = $1 THEN 'load' ELSE 'backfill' END AS role,
                coalesce(wait_event_type || ':' || wait_event, 'running') AS wait
           FROM pg_stat_activity
          WHERE datname = current_database() AND state = 'active' AND backend_type = 'client backend'
            AND NOT starts_with(application_name, 'bench:backfill (')`,
        [LOAD_APPLICATION],
      );
      for (const { role, wait } of rows) samples[role][wait] = (samples[role][wait] ?? 0) + 1;
      await sleep(everyMs);
    }
  })();
  return {
    async stop() {
      stopped = true;
      await loop.catch(() => {});
      await client.end().catch(() => {});
      return samples;
    },
  };
}
