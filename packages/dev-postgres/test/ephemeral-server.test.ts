import { existsSync } from "node:fs";
import { dirname } from "node:path";
import { describe, expect, it } from "vitest";
import { startEphemeralServer, testServerUrl } from "../src/index.ts";
import { probe } from "../src/connections.ts";
import { query } from "./helpers.ts";

describe("startEphemeralServer", () => {
  it("runs a throwaway PostgreSQL 18 and removes every trace of it on stop", async () => {
    const server = await startEphemeralServer({ log: () => undefined });
    try {
      expect(server.url).toBe(`postgresql://postgres@127.0.0.1:${server.port}/postgres`);
      const [row] = await query<{ version: string }>(server.url, "SELECT current_setting('server_version') AS version");
      expect(row?.version).toMatch(/^18\./);
      expect(existsSync(server.dataDir)).toBe(true);
    } finally {
      await server.stop();
    }
    expect(existsSync(dirname(server.dataDir))).toBe(false);
    expect(await probe(server.url)).toEqual({ state: "absent" });
    await server.stop(); // a second stop is harmless
  });

  it("gives parallel servers their own ports and folders", async () => {
    const servers = await Promise.all([startEphemeralServer({ log: () => undefined }), startEphemeralServer({ log: () => undefined })]);
    try {
      expect(servers[0]?.port).not.toBe(servers[1]?.port);
      expect(servers[0]?.dataDir).not.toBe(servers[1]?.dataDir);
    } finally {
      await Promise.all(servers.map((server) => server.stop()));
    }
  });
});

describe("testServerUrl", () => {
  it("prefers TEST_DATABASE_URL, then DATABASE_URL, starting nothing", async () => {
    expect(await testServerUrl({ env: { TEST_DATABASE_URL: "postgresql://t@h/db", DATABASE_URL: "postgresql://d@h/db" } })).toEqual({
      url: "postgresql://t@h/db",
    });
    expect(await testServerUrl({ env: { DATABASE_URL: "postgresql://d@h/db" } })).toEqual({ url: "postgresql://d@h/db" });
  });

  it("starts an ephemeral server when neither is set, with a stop to call", async () => {
    const server = await testServerUrl({ env: {}, log: () => undefined });
    try {
      expect(server.stop).toBeTypeOf("function");
      expect(await query(server.url, "SELECT 1 AS one")).toEqual([{ one: 1 }]);
    } finally {
      await server.stop?.();
    }
  });
});
