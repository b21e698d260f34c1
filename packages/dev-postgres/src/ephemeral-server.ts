// A throwaway PostgreSQL for tests on machines without one: a fresh cluster in a temp folder on a
// free port, owned by this process (a child, not detached), and deleted again by stop().

import { spawn, type ChildProcess } from "node:child_process";
import { once } from "node:events";
import { rmSync } from "node:fs";
import { mkdtemp, open, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { postgresBinaries } from "./binaries.ts";
import { waitUntilReady } from "./connections.ts";
import { buildUrl } from "./database-url.ts";
import { LocalServerError } from "./errors.ts";
import { freePort } from "./free-port.ts";
import { initCluster } from "./initdb.ts";
import { logToStderr } from "./local-settings.ts";
import type { OsIdentity } from "./run-command.ts";
import { logLinesSince } from "./server-log.ts";
import { assertReachable, handOver, serverIdentity } from "./server-identity.ts";

/** A running throwaway server. */
export interface EphemeralServer {
  /** Admin connection string (superuser `postgres`, database `postgres`, trust authentication). */
  url: string;
  port: number;
  dataDir: string;
  /** Shuts the server down and deletes its folder; safe to call twice. */
  stop: () => Promise<void>;
}

const READY_TIMEOUT_MS = 30_000;
const STOP_TIMEOUT_MS = 10_000;
// Another process can grab the free port between our probe and the server's bind.
const PORT_ATTEMPTS = 3;

// Servers still running when the process exits are killed then, so a test run that forgets stop()
// (or fails before it) does not leave postgres processes behind. 'exit' handlers must be synchronous.
const live = new Map<ChildProcess, string>();
let exitHookInstalled = false;

/**
 * Creates and starts a throwaway PostgreSQL 18: initdb (trust authentication, no fsync, since
 * nothing in it needs to survive a crash) into a new temp folder, then the server on a free port
 * of 127.0.0.1. Call `stop()` when done; an exiting process also kills it.
 */
export async function startEphemeralServer(options: { log?: (line: string) => void } = {}): Promise<EphemeralServer> {
  const log = options.log ?? logToStderr;
  const binaries = await postgresBinaries();
  const identity = await serverIdentity(log);
  const dir = await mkdtemp(join(tmpdir(), "dev-postgres-"));
  try {
    await handOver(identity, dir);
    await assertReachable(identity, dir);
    const dataDir = join(dir, "data");
    const logFile = join(dir, "postgres.log");
    await initCluster({ binaries, identity, dataDir, workDir: dir, user: "postgres", noSync: true });

    for (let attempt = 1; ; attempt++) {
      const port = await freePort();
      const child = await spawnServer(binaries.postgres, dataDir, port, logFile, identity);
      const url = buildUrl({ user: "postgres", host: "127.0.0.1", port, database: "postgres" });
      const exited = () => child.exitCode !== null || child.signalCode !== null;
      const ready = await waitUntilReady(url, Date.now() + READY_TIMEOUT_MS, exited);
      if (ready.state === "ready") {
        live.set(child, dir);
        installExitHook();
        return { url, port, dataDir, stop: () => stopServer(child, dir) };
      }

      await stopServer(child, undefined);
      const lines = await logLinesSince(logFile, 0);
      if (lines.some((line) => line.includes("Address already in use")) && attempt < PORT_ATTEMPTS) continue;
      const reason = ready.state === "refused" ? ready.reason : exited() ? "the server exited" : `still ${ready.state}`;
      throw new LocalServerError(
        "START_FAILED",
        `The throwaway PostgreSQL did not start (${reason}).\nLast lines of its log:\n${lines.join("\n") || "(empty)"}`,
      );
    }
  } catch (error) {
    await rm(dir, { recursive: true, force: true });
    throw error;
  }
}

async function spawnServer(
  postgres: string,
  dataDir: string,
  port: number,
  logFile: string,
  identity: OsIdentity | undefined,
): Promise<ChildProcess> {
  // The server writes its log through an inherited descriptor, so there is no pipe for us to drain;
  // "w" starts the file afresh, so it holds only this attempt's lines.
  const logHandle = await open(logFile, "w");
  try {
    const child = spawn(
      postgres,
      [
        "-D", dataDir,
        "-p", String(port),
        "-c", "listen_addresses=127.0.0.1",
        "-k", "", // no Unix socket: clients use TCP, and no socket path can be too long
        "-c", "fsync=off",
        "-c", "synchronous_commit=off",
        "-c", "full_page_writes=off",
      ],
      {
        stdio: ["ignore", logHandle.fd, logHandle.fd],
        env: { ...process.env, LC_MESSAGES: "C" },
        ...(identity ? { uid: identity.uid, gid: identity.gid } : {}),
      },
    );
    await Promise.race([once(child, "spawn"), once(child, "error").then(([error]) => Promise.reject(error as Error))]);
    // Not keeping the caller's event loop alive: a forgotten stop() must not hang a test run.
    child.unref();
    return child;
  } finally {
    await logHandle.close();
  }
}

/** Fast shutdown (SIGINT), escalating to SIGKILL if it hangs; then the folder is removed. */
async function stopServer(child: ChildProcess, dir: string | undefined): Promise<void> {
  if (child.exitCode === null && child.signalCode === null) {
    child.ref(); // keep the process alive until the server is gone
    const exited = once(child, "exit");
    child.kill("SIGINT");
    const timer = setTimeout(() => child.kill("SIGKILL"), STOP_TIMEOUT_MS);
    try {
      await exited;
    } finally {
      clearTimeout(timer);
    }
  }
  live.delete(child);
  if (dir !== undefined) await rm(dir, { recursive: true, force: true });
}

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.once("exit", () => {
    for (const [child, dir] of live) {
      // SIGQUIT: immediate shutdown, since we cannot wait for anything here.
      child.kill("SIGQUIT");
      rmSync(dir, { recursive: true, force: true });
    }
  });
}
