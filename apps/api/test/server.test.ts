// The server on a real socket: it drains on close (requests in flight finish, their connections close,
// new connections are refused), cuts what outlasts the deadline, and names the problem when the port
// is taken.
import { setTimeout as delay } from "node:timers/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createApp } from "../src/app.ts";
import { ListenError, listen } from "../src/server.ts";
import { FAST_SCRYPT, memoryLogger, testDatabase, type LogLine } from "./helpers.ts";
import type { TestDatabase } from "@repo/dev-postgres";

let database: TestDatabase;
beforeAll(async () => {
  database = await testDatabase();
});
afterAll(() => database.drop());

async function serve(shutdownTimeoutMs: number, slowMs: number) {
  const logs: LogLine[] = [];
  const logger = memoryLogger(logs);
  const api = await createApp({ databaseUrl: database.url, environment: "test", logger, createTablesOnStart: false, scrypt: FAST_SCRYPT, poolSize: 2 });
  api.app.get("/slow", async (c) => {
    await delay(slowMs);
    return c.text("done");
  });
  const server = await listen(api, { port: 0, host: "127.0.0.1", logger, shutdownTimeoutMs });
  return { api, server, logs };
}

describe("listen and close", () => {
  it("serves over HTTP, then drains: the request in flight finishes, new connections are refused", async () => {
    const { server, logs } = await serve(5000, 300);
    expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect((await fetch(`${server.url}/ready`)).status).toBe(200);

    const inFlight = fetch(`${server.url}/slow`);
    await delay(50);
    const closing = server.close();
    const response = await inFlight;
    expect(response.status).toBe(200);
    expect(await response.text()).toBe("done");
    expect(response.headers.get("connection")).toBe("close");
    await closing;
    await expect(fetch(`${server.url}/health`)).rejects.toThrow();
    expect(logs.map((line) => line.msg)).toEqual(expect.arrayContaining(["shutting down: no new connections, draining requests in flight", "stopped"]));
  });

  it("cuts a request that outlasts the shutdown deadline", async () => {
    const { server, logs } = await serve(100, 5000);
    const inFlight = fetch(`${server.url}/slow`).then(
      (response) => response.status,
      () => "cut",
    );
    await delay(50);
    const started = Date.now();
    await server.close();
    expect(Date.now() - started).toBeLessThan(2000);
    expect(await inFlight).toBe("cut");
    expect(logs.some((line) => line.msg.startsWith("shutdown deadline reached"))).toBe(true);
  });

  it("says which port is taken and what to do", async () => {
    const { server, api } = await serve(1000, 0);
    const error = await listen(api, { port: server.port, host: "127.0.0.1", logger: memoryLogger([]), shutdownTimeoutMs: 1000 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ListenError);
    expect((error as Error).message).toBe(`Cannot listen: port ${server.port} on 127.0.0.1 is already in use: stop the other process or set PORT.`);
    await server.close();
  });
});
