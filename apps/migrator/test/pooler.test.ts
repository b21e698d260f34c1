// Through a real PgBouncer: in transaction mode consecutive statements reach different server sessions,
// so the session-level migration lock cannot hold; the migrator refuses (exit 4, naming the fix) before
// changing anything. In session mode the same deploy goes through. PgBouncer is a Debian package
// (`apt-get install pgbouncer`): without it these tests are skipped, saying why; CI, which installs it,
// fails instead of skipping.
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import net from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { freePort } from "@repo/dev-postgres";
import pg from "pg";
import { describe, expect, it, onTestFinished } from "vitest";
import { cleanEnv, output, project, waitFor } from "./helpers.ts";

const PGBOUNCER = ["/usr/sbin/pgbouncer", "/usr/bin/pgbouncer"].find((file) => spawnSync(file, ["--version"]).status === 0);
if (!PGBOUNCER && process.env.CI) throw new Error("The pooler tests need PgBouncer: not found (apt-get install pgbouncer).");
const withPgBouncer = describe.skipIf(!PGBOUNCER);

const canConnect = (port: number) =>
  new Promise<boolean>((resolve) => {
    const socket = net.connect(port, "127.0.0.1", () => {
      socket.end();
      resolve(true);
    });
    socket.on("error", () => resolve(false));
  });

/** A PgBouncer in front of `serverUrl`'s server, in `mode`; stopped when the test ends. Resolves with its port. */
async function startPgBouncer(serverUrl: string, mode: "transaction" | "session"): Promise<number> {
  const server = new URL(serverUrl);
  const dir = mkdtempSync(path.join(tmpdir(), "pgbouncer-"));
  chmodSync(dir, 0o777); // PgBouncer refuses to run as root: as root it switches to `postgres`, who writes its log here
  const port = await freePort();
  const ini = path.join(dir, "pgbouncer.ini");
  writeFileSync(
    ini,
    [
      "[databases]",
      // Every database, logged in as the server's user: `auth_type = any` ignores the client's name.
      `* = host=${server.hostname} port=${server.port || 5432} user=${decodeURIComponent(server.username) || "postgres"}${server.password ? ` password=${decodeURIComponent(server.password)}` : ""}`,
      "[pgbouncer]",
      "listen_addr = 127.0.0.1",
      `listen_port = ${port}`,
      "unix_socket_dir =",
      "auth_type = any",
      `pool_mode = ${mode}`,
      // Hand out the idle server connections in turn, so consecutive statements land on different ones.
      "server_round_robin = 1",
      "default_pool_size = 4",
      `logfile = ${path.join(dir, "pgbouncer.log")}`,
      "",
    ].join("\n"),
    { mode: 0o644 },
  );
  const asRoot = process.getuid?.() === 0;
  const child: ChildProcess = spawn(PGBOUNCER as string, [...(asRoot ? ["-u", "postgres"] : []), ini], { stdio: "ignore" });
  onTestFinished(async () => {
    child.kill("SIGINT");
    await new Promise((resolve) => (child.exitCode === null ? child.once("exit", resolve) : resolve(undefined)));
    rmSync(dir, { recursive: true, force: true });
  });
  await waitFor("PgBouncer to listen", async () => (child.exitCode === null ? canConnect(port) : Promise.reject(new Error(`pgbouncer exited with ${child.exitCode}`))), 10_000);
  return port;
}

/** Makes the pool hold two server connections: two clients in a transaction at once. */
async function warmTwoServerConnections(url: string): Promise<void> {
  const clients = [new pg.Client({ connectionString: url }), new pg.Client({ connectionString: url })];
  await Promise.all(clients.map((c) => c.connect()));
  await Promise.all(clients.map((c) => c.query("BEGIN; SELECT pg_backend_pid();")));
  await Promise.all(clients.map((c) => c.query("COMMIT")));
  await Promise.all(clients.map((c) => c.end()));
}

const throughBouncer = (url: string, port: number) => {
  const via = new URL(url);
  via.hostname = "127.0.0.1";
  via.port = String(port);
  return via.toString();
};

/** `migrator deploy` of one migration into a new project's database, through a PgBouncer in `mode`. */
async function deployThrough(mode: "transaction" | "session") {
  const p = await project();
  await p.write("20240101000000_users", "CREATE TABLE users (id serial PRIMARY KEY);\n");
  const url = throughBouncer(p.url, await startPgBouncer(p.url, mode));
  await warmTwoServerConnections(url);
  return { p, run: await p.run(["deploy"], { url, env: cleanEnv() }) };
}

withPgBouncer("a deploy through PgBouncer", () => {
  it("in transaction mode is refused before anything changes (exit 4), naming the pooler and the fix", async () => {
    const { p, run } = await deployThrough("transaction");
    expect(run.code, output(run)).toBe(4);
    expect(run.stderr).toContain("transaction-mode pooler");
    expect(run.stderr).toContain("direct URL");
    expect(await p.tables()).toEqual([]);
    expect(await p.history()).toEqual([]);
  });

  it("in session mode goes through: the lock holds on the client's own server session", async () => {
    const { p, run } = await deployThrough("session");
    expect(run.code, output(run)).toBe(0);
    expect(await p.tables()).toEqual(["users"]);
  });
});
