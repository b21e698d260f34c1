// Shared by this package's integration tests: databases on the run's server, and the bridge process.
import { spawn } from "node:child_process";
import { createTestDatabase } from "@repo/dev-postgres";
import pg from "pg";
import { inject, onTestFinished } from "vitest";
import { schemaEngineBinary, SHADOW_DATABASE_PREFIX, shadowDescription } from "../src/index.ts";

/** A fresh database for one test, dropped when the test ends. */
export async function freshDatabase(): Promise<string> {
  const db = await createTestDatabase(inject("serverUrl"), { prefix: "engine_" });
  onTestFinished(() => db.drop());
  return db.url;
}

/** Runs SQL on a database and returns the rows. */
export async function sql<T extends pg.QueryResultRow = Record<string, unknown>>(url: string, text: string): Promise<T[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<T>(text)).rows;
  } finally {
    await client.end();
  }
}

/**
 * The shadow databases on the run's server made for the database at `url` (tests run in parallel:
 * other files' shadow databases come and go meanwhile).
 */
export async function shadowDatabasesOf(url: string): Promise<string[]> {
  const database = decodeURIComponent(new URL(url).pathname.slice(1));
  const rows = await sql<{ datname: string }>(
    inject("serverUrl"),
    `SELECT datname FROM pg_database WHERE datname LIKE '${SHADOW_DATABASE_PREFIX}%' AND shobj_description(oid, 'pg_database') = '${shadowDescription(database).replaceAll("'", "''")}'`,
  );
  return rows.map((row) => row.datname);
}

export interface EngineProcess {
  /** Sends a request and resolves with its reply (answering `print` requests on the way). */
  request(method: string, params?: unknown): Promise<{ result?: unknown; error?: { code: number; message: string; data?: Record<string, unknown> } }>;
  /** Contents the engine asked the CLI to print. */
  printed: string[];
  stderr: () => string;
  close(): Promise<number | null>;
}

/** Starts the bridge executable as the Prisma CLI does, speaking JSON-RPC over stdio. */
export function startEngine(args: string[]): EngineProcess {
  const child = spawn(process.execPath, [schemaEngineBinary, ...args], { stdio: ["pipe", "pipe", "pipe"] });
  const waiting = new Map<number, (reply: never) => void>();
  const printed: string[] = [];
  let stderr = "";
  let buffer = "";
  let nextId = 1;
  child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  child.stdout.on("data", (chunk: Buffer) => {
    buffer += chunk.toString();
    let newline: number;
    while ((newline = buffer.indexOf("\n")) >= 0) {
      const line = buffer.slice(0, newline);
      buffer = buffer.slice(newline + 1);
      const message = JSON.parse(line) as { id: number; method?: string; params?: { content: string } };
      if (message.method === "print") {
        printed.push(message.params?.content ?? "");
        child.stdin.write(`${JSON.stringify({ jsonrpc: "2.0", id: message.id, result: {} })}\n`);
      } else {
        waiting.get(message.id)?.(message as never);
        waiting.delete(message.id);
      }
    }
  });
  const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
  return {
    printed,
    stderr: () => stderr,
    request(method, params) {
      const id = nextId++;
      return new Promise((resolve) => {
        waiting.set(id, resolve);
        child.stdin.write(`${JSON.stringify({ jsonrpc: "2.0", id, method, params })}\n`);
      });
    },
    async close() {
      child.stdin.end();
      return exited;
    },
  };
}
