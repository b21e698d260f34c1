// Shared by the API's integration tests: an app on a database of its own (a clone of the migrated
// template, or empty), requests through `app.request()`, captured logs and plain SQL.
import { createTestDatabase, sqlOn, type TestDatabase } from "@repo/dev-postgres";
import pg from "pg";
import pino from "pino";
import { inject } from "vitest";
import { createApp, type Api, type AppOptions } from "../src/app.ts";
import { loggerSettings } from "../src/logger.ts";
import type { ScryptParams } from "../src/passwords.ts";

/** The tests' JWT secret (32+ bytes, as production requires). */
export const TEST_JWT_SECRET = "test-secret-test-secret-test-secret-0123456789";

/** Cheap enough for hundreds of users per run; production uses OWASP's cost. */
export const FAST_SCRYPT: ScryptParams = { N: 2 ** 10, r: 8, p: 1 };

export interface LogLine {
  level: number;
  msg: string;
  [field: string]: unknown;
}

export interface Response<T = unknown> {
  status: number;
  headers: Headers;
  body: T;
}

export interface TestApi extends Api {
  url: string;
  logs: LogLine[];
  /** Sends a request; a body that is not a string is sent as JSON. */
  call<T = Record<string, unknown>>(method: string, path: string, body?: unknown, headers?: Record<string, string>): Promise<Response<T>>;
  sql<T extends pg.QueryResultRow = Record<string, unknown>>(text: string, values?: unknown[]): Promise<T[]>;
  /** Closes the app and drops its database. */
  dispose(): Promise<void>;
}

export { sqlOn };

/** A logger with the API's settings (redaction included) whose lines land in `logs`, parsed. */
export function memoryLogger(logs: LogLine[], level: pino.Level = "debug") {
  return pino(loggerSettings({ level, environment: "test" }), { write: (line: string) => void logs.push(JSON.parse(line) as LogLine) });
}

/** A database of the test file's own: the migrated template's clone, or empty. */
export function testDatabase(kind: "migrated" | "empty" = "migrated"): Promise<TestDatabase> {
  return createTestDatabase(inject("serverUrl"), { prefix: "api_", ...(kind === "migrated" ? { template: inject("migratedTemplate") } : {}) });
}

export async function callApp<T>(app: Api["app"], method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<Response<T>> {
  const init: RequestInit = { method, headers: { ...headers } };
  if (body !== undefined) {
    init.body = typeof body === "string" ? body : JSON.stringify(body);
    init.headers = { "content-type": "application/json", ...headers };
  }
  const response = await app.request(path, init);
  const text = await response.text();
  let parsed: unknown = text;
  if (response.headers.get("content-type")?.includes("json")) parsed = JSON.parse(text);
  return { status: response.status, headers: response.headers, body: parsed as T };
}

/** An app on a fresh database (migrated unless `database: "empty"`), with createTablesOnStart off unless given. */
export async function testApi(options: Partial<AppOptions> & { database?: "migrated" | "empty" } = {}): Promise<TestApi> {
  const { database: kind, ...appOptions } = options;
  const database = await testDatabase(kind);
  const logs: LogLine[] = [];
  let api: Api;
  try {
    api = await createApp({
      databaseUrl: database.url,
      environment: "test",
      logger: memoryLogger(logs),
      createTablesOnStart: false,
      scrypt: FAST_SCRYPT,
      poolSize: 4,
      auth: { jwtSecret: TEST_JWT_SECRET },
      // Tests send hundreds of requests from one "address": rate limits only where a test asks for them.
      rateLimit: { defaultBudget: null },
      ...appOptions,
    });
  } catch (error) {
    await database.drop();
    throw error;
  }
  return {
    ...api,
    url: database.url,
    logs,
    call: (method, path, body, headers) => callApp(api.app, method, path, body, headers),
    sql: (text, values) => sqlOn(database.url, text, values),
    async dispose() {
      await api.close();
      await database.drop();
    },
  };
}
