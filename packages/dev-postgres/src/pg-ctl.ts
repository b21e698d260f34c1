// Starts, stops and inspects a data folder's server with pg_ctl. A server started this way runs in
// its own session, detached from us: it keeps running after the process that started it exits.

import { readFile } from "node:fs/promises";
import { platform } from "node:os";
import { join } from "node:path";
import type { PostgresBinaries } from "./binaries.ts";
import { LocalServerError } from "./errors.ts";
import { commandOutput, runCommand, type OsIdentity } from "./run-command.ts";
import { logLinesSince, logSize } from "./server-log.ts";

export interface ClusterRef {
  binaries: PostgresBinaries;
  identity: OsIdentity | undefined;
  dataDir: string;
  /** Working directory for pg_ctl: one the server's user can enter (not, say, /root). */
  cwd: string;
}

export interface StartOptions extends ClusterRef {
  port: number;
  logFile: string;
  /** Folder for the Unix socket; it is left out when the socket path would be too long. */
  socketDir: string;
  /** Seconds pg_ctl waits for the server to accept connections. */
  timeoutSeconds?: number;
}

// sun_path holds 104 bytes on macOS and 108 on Linux, terminator included.
const MAX_SOCKET_PATH = 103;

/**
 * `pg_ctl start -w`: returns once the server accepts connections on 127.0.0.1:`port`.
 * Throws PORT_IN_USE when the server could not bind, START_FAILED (quoting the new log lines)
 * otherwise.
 */
export async function startCluster(options: StartOptions): Promise<void> {
  const { binaries, identity, dataDir, logFile, port } = options;
  const serverOptions = ["-p", String(port), "-c", "listen_addresses=127.0.0.1", "-k", socketDirectory(options)];
  const before = await logSize(logFile);
  const result = await runCommand(
    binaries.pg_ctl,
    [
      "start",
      "-w",
      "-t", String(options.timeoutSeconds ?? 60),
      "-D", dataDir,
      "-l", logFile,
      // pg_ctl hands -o to a shell, hence the quoting.
      "-o", serverOptions.map(shellQuote).join(" "),
    ],
    { as: identity, cwd: options.cwd, detached: true },
  );
  if (result.code === 0) return;

  const lines = await logLinesSince(logFile, before);
  if (lines.some((line) => line.includes("Address already in use"))) throw portInUse(port);
  throw new LocalServerError(
    "START_FAILED",
    `PostgreSQL in ${dataDir} did not start (pg_ctl exit ${result.code ?? result.signal}).\n` +
      `${commandOutput(result)}\nLast lines of ${logFile}:\n${lines.join("\n") || "(empty)"}\n` +
      "Fix: see the log above; if the data folder is damaged, stop any server using it and delete it.",
  );
}

/** The typed error for a port held by something that is not our server. */
export function portInUse(port: number, detail?: string): LocalServerError {
  return new LocalServerError(
    "PORT_IN_USE",
    `Port ${port} on 127.0.0.1 is already in use by another program${detail ? ` (${detail})` : ""}, ` +
      "so the embedded PostgreSQL cannot use it. " +
      "Fix: pick a free port with LOCAL_PG_PORT=<port>, or set DATABASE_URL to use that server instead.",
  );
}

/** Whether a server is running on `dataDir` (pg_ctl status; a stale postmaster.pid counts as not). */
export async function clusterRunning(ref: ClusterRef): Promise<boolean> {
  const result = await runCommand(ref.binaries.pg_ctl, ["status", "-D", ref.dataDir], { as: ref.identity, cwd: ref.cwd });
  // 0: running; 3: not running; 4: no accessible data folder.
  return result.code === 0;
}

/**
 * `pg_ctl stop -m fast -w`: disconnects clients, checkpoints and waits for the exit.
 * Returns false when no server was running.
 */
export async function stopCluster(ref: ClusterRef): Promise<boolean> {
  if (!(await clusterRunning(ref))) return false;
  const result = await runCommand(ref.binaries.pg_ctl, ["stop", "-w", "-m", "fast", "-D", ref.dataDir], {
    as: ref.identity,
    cwd: ref.cwd,
  });
  // It may have stopped on its own meanwhile; only a server still running is a failure.
  if (result.code !== 0 && (await clusterRunning(ref))) {
    throw new LocalServerError(
      "STOP_FAILED",
      `PostgreSQL in ${ref.dataDir} did not stop.\n${commandOutput(result)}\n` +
        "Fix: retry, or end the postgres process named in postmaster.pid.",
    );
  }
  return true;
}

/** The port recorded in a running server's postmaster.pid (its fourth line), if readable. */
export async function clusterPort(dataDir: string): Promise<number | undefined> {
  const text = await readFile(join(dataDir, "postmaster.pid"), "utf8").catch(() => undefined);
  const port = Number(text?.split("\n")[3]);
  return Number.isInteger(port) && port > 0 ? port : undefined;
}

function socketDirectory(options: StartOptions): string {
  // An empty value disables Unix sockets: we connect over TCP anyway, and a too-long path is fatal.
  if (platform() === "win32") return "";
  const socketPath = join(options.socketDir, `.s.PGSQL.${options.port}`);
  return Buffer.byteLength(socketPath) > MAX_SOCKET_PATH ? "" : options.socketDir;
}

function shellQuote(value: string): string {
  if (platform() === "win32") return `"${value}"`;
  return `'${value.replaceAll("'", `'\\''`)}'`;
}
