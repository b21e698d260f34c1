import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { chmod, rm, stat } from "node:fs/promises";
import { createServer, type Server } from "node:net";
import { dirname, join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { ensureLocalServer, LocalServerError, localServerStatus, resolveDatabaseUrl, stopLocalServer } from "../src/index.ts";
import { SHARED_BASE_DIR } from "../src/local-settings.ts";
import { collectLog, freePort, query, tempRoot } from "./helpers.ts";

const packageDir = join(import.meta.dirname, "..");
const fixture = join(import.meta.dirname, "fixtures", "ensure-local-server.ts");

/** Every root a test starts a server in; afterAll stops them all, then deletes the folders. */
const roots: Array<{ dir: string; remove(): Promise<void> }> = [];
async function newRoot(): Promise<string> {
  const root = await tempRoot();
  roots.push(root);
  return root.dir;
}

afterAll(async () => {
  for (const root of roots) {
    await stopLocalServer({ rootDir: root.dir, log: () => undefined });
    await root.remove();
  }
});

describe("ensureLocalServer", () => {
  let rootDir: string;
  let port: number;
  const { lines, log } = collectLog();

  beforeAll(async () => {
    rootDir = await newRoot();
    port = await freePort();
  });

  it("initialises and starts a server on first use, with a random password and the app database", async () => {
    const server = await ensureLocalServer({ rootDir, port, log });

    expect(server.started).toBe(true);
    expect(server.port).toBe(port);
    expect(server.dataDir).toBe(join(rootDir, ".local", "postgres", "data"));
    expect(server.serverVersion).toMatch(/^18\./);
    expect(server.url).toMatch(new RegExp(`^postgresql://postgres:[A-Za-z0-9_-]{20,}@127\\.0\\.0\\.1:${port}/app$`));
    expect(server.redactedUrl).toBe(`postgresql://postgres:***@127.0.0.1:${port}/app`);
    expect(await query(server.url, "SELECT current_database() AS db")).toEqual([{ db: "app" }]);
    expect(lines.join("\n")).toContain("first run");

    const credentials = await stat(join(rootDir, ".local", "postgres", "credentials.json"));
    expect(credentials.mode & 0o077).toBe(0); // readable by its owner only
  });

  it("refuses TCP connections without the password", async () => {
    await expect(query(`postgresql://postgres@127.0.0.1:${port}/app`, "SELECT 1")).rejects.toThrow(/password/);
  });

  it("reuses the running server on the next call, without starting anything, in well under a second", async () => {
    const first = await ensureLocalServer({ rootDir, port, log });
    const startedAt = performance.now();
    const again = await ensureLocalServer({ rootDir, port, log });
    const elapsed = performance.now() - startedAt;

    expect(again.started).toBe(false);
    expect(again.url).toBe(first.url);
    expect(elapsed).toBeLessThan(1_000);
  });

  it("creates another database on the same server when asked", async () => {
    const server = await ensureLocalServer({ rootDir, port, database: "second_db", log });
    expect(server.started).toBe(false);
    expect(await query(server.url, "SELECT current_database() AS db")).toEqual([{ db: "second_db" }]);
  });

  it("reports the running server in localServerStatus", async () => {
    const status = await localServerStatus({ rootDir, port });
    expect(status).toMatchObject({ running: true, port, redactedUrl: `postgresql://postgres:***@127.0.0.1:${port}/app` });
    expect(status.url).toBe((await ensureLocalServer({ rootDir, port, log })).url);
  });

  it("refuses to start on another port while running, naming both ports", async () => {
    const otherPort = await freePort();
    const error = await ensureLocalServer({ rootDir, port: otherPort, log }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(LocalServerError);
    expect(error).toMatchObject({ code: "RUNNING_ON_OTHER_PORT" });
    expect((error as Error).message).toContain(String(port));
    expect((error as Error).message).toContain(String(otherPort));
  });

  it("stops; status then shows it not running; stopping again is no error", async () => {
    await query((await ensureLocalServer({ rootDir, port, log })).url, "CREATE TABLE kept (id int); INSERT INTO kept VALUES (42)");

    expect(await stopLocalServer({ rootDir, port })).toMatchObject({ stopped: true });
    expect(await localServerStatus({ rootDir, port })).toEqual({ running: false, dataDir: join(rootDir, ".local", "postgres", "data"), port });
    expect(await stopLocalServer({ rootDir, port })).toMatchObject({ stopped: false });
  });

  it("starts the stopped server again, with its data and password intact", async () => {
    const before = (await localServerStatus({ rootDir, port })).running;
    const server = await ensureLocalServer({ rootDir, port, log });
    expect(before).toBe(false);
    expect(server.started).toBe(true);
    expect(await query(server.url, "SELECT id FROM kept")).toEqual([{ id: 42 }]);
  });
});

describe("ensureLocalServer under concurrency", () => {
  it("starts one server when two calls race in one process", async () => {
    const rootDir = await newRoot();
    const port = await freePort();
    const results = await Promise.all([
      ensureLocalServer({ rootDir, port, log: () => undefined }),
      ensureLocalServer({ rootDir, port, log: () => undefined }),
    ]);
    expect(results.map((r) => r.started).sort()).toEqual([false, true]);
    expect(results[0]?.url).toBe(results[1]?.url);
  });

  it("starts one server when two processes race, and it outlives both", async () => {
    const rootDir = await newRoot();
    const port = await freePort();
    const outcomes = await Promise.all([runFixture(rootDir, port), runFixture(rootDir, port)]);

    expect(outcomes.map((o) => o.started).sort()).toEqual([false, true]);
    expect(outcomes[0]?.url).toBe(outcomes[1]?.url);
    // Both processes have exited; the server they started must still be there.
    const server = await ensureLocalServer({ rootDir, port, log: () => undefined });
    expect(server.started).toBe(false);
    expect(server.url).toBe(outcomes[0]?.url);
  });
});

describe("ensureLocalServer on a taken port", () => {
  let listener: Server | undefined;
  afterEach(() => new Promise<void>((resolve) => (listener ? listener.close(() => resolve()) : resolve())));

  it("fails with PORT_IN_USE naming the port and the fix, before creating any data", async () => {
    const rootDir = await newRoot();
    const port = await freePort();
    listener = createServer((socket) => socket.end());
    await new Promise<void>((resolve) => listener?.listen(port, "127.0.0.1", resolve));

    const error = await ensureLocalServer({ rootDir, port, log: () => undefined }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(LocalServerError);
    expect(error).toMatchObject({ code: "PORT_IN_USE" });
    expect((error as Error).message).toContain(String(port));
    expect((error as Error).message).toContain("LOCAL_PG_PORT");
    expect((error as Error).message).toContain("DATABASE_URL");
    expect(existsSync(join(rootDir, ".local", "postgres", "data", "PG_VERSION"))).toBe(false);
  });
});

describe("ensureLocalServer in unusual places", () => {
  it("starts in a project path too long for a Unix socket, falling back to TCP only", async () => {
    const base = await newRoot();
    const rootDir = join(base, "a-rather-long-folder-name-".repeat(3), "and-another-level-of-nesting");
    const port = await freePort();
    const server = await ensureLocalServer({ rootDir, port, log: () => undefined });
    expect(Buffer.byteLength(join(rootDir, ".local", "postgres", "run", `.s.PGSQL.${port}`))).toBeGreaterThan(108);
    expect(await query(server.url, "SELECT 1 AS one")).toEqual([{ one: 1 }]);
    await stopLocalServer({ rootDir });
  });

  it.runIf(process.getuid?.() === 0)(
    "as root, keeps the files in /var/tmp/dev-postgres when the postgres OS user cannot reach the project folder",
    async () => {
      const root = await tempRoot();
      roots.push(root);
      await chmod(root.dir, 0o700); // what mkdtemp, or a home folder, gives by default
      const port = await freePort();
      const server = await ensureLocalServer({ rootDir: root.dir, port, log: () => undefined });
      try {
        expect(server.dataDir.startsWith(`${SHARED_BASE_DIR}/`)).toBe(true);
        expect(existsSync(join(root.dir, ".local"))).toBe(false);
        expect(await query(server.url, "SELECT 1 AS one")).toEqual([{ one: 1 }]);
        // The same checkout finds the same server again.
        expect((await ensureLocalServer({ rootDir: root.dir, port, log: () => undefined })).started).toBe(false);
        expect((await localServerStatus({ rootDir: root.dir, port })).running).toBe(true);
      } finally {
        await stopLocalServer({ rootDir: root.dir, port, log: () => undefined });
        await rm(dirname(server.dataDir), { recursive: true, force: true });
      }
    },
  );
});

describe("resolveDatabaseUrl", () => {
  it("uses DATABASE_URL when set, starts nothing, and logs it with the password hidden", async () => {
    const rootDir = await newRoot();
    const { lines, log } = collectLog();
    const url = "postgresql://u:hunter2@db.example.com:5432/app";

    expect(await resolveDatabaseUrl({ env: { DATABASE_URL: url }, log, rootDir })).toEqual({ url, source: "env" });
    expect(lines).toEqual(["Using DATABASE_URL postgresql://u:***@db.example.com:5432/app"]);
    expect(existsSync(join(rootDir, ".local"))).toBe(false);
  });

  it("falls back to the embedded server and logs one line naming it, without the password", async () => {
    const rootDir = await newRoot();
    const port = await freePort();
    const messages = collectLog();

    const resolved = await resolveDatabaseUrl({ env: { LOCAL_PG_PORT: String(port) }, log: messages.log, rootDir });
    expect(resolved.source).toBe("embedded");
    expect(resolved.url).toContain(`@127.0.0.1:${port}/app`);
    const usingLines = messages.lines.filter((line) => line.startsWith("Using"));
    expect(usingLines).toHaveLength(1);
    expect(usingLines[0]).toMatch(
      new RegExp(`^Using embedded PostgreSQL 18 at postgresql://postgres:\\*\\*\\*@127\\.0\\.0\\.1:${port}/app \\(data in .+\\)$`),
    );
    const password = new URL(resolved.url).password;
    expect(messages.lines.join("\n")).not.toContain(password);
  });
});

function runFixture(rootDir: string, port: number): Promise<{ started: boolean; url: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["--import", "tsx", fixture, rootDir, String(port)], {
      cwd: packageDir,
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    child.once("error", reject);
    child.once("close", (code) => {
      if (code === 0) resolve(JSON.parse(stdout) as { started: boolean; url: string });
      else reject(new Error(`fixture exited ${code}: ${stderr}`));
    });
  });
}
