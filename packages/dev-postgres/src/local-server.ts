// The persistent embedded PostgreSQL for development: one server per checkout, its files in
// `.local/postgres`, started on first use and left running so later commands reuse it in milliseconds.

import { existsSync } from "node:fs";
import { mkdir, open, realpath } from "node:fs/promises";
import { createServer } from "node:net";
import { join, resolve } from "node:path";
import { postgresBinaries } from "./binaries.ts";
import { ensureDatabase, probe, waitUntilReady } from "./connections.ts";
import { newCredentials, readCredentials, writeCredentials, type Credentials } from "./credentials.ts";
import { buildUrl } from "./database-url.ts";
import { LocalServerError } from "./errors.ts";
import { initCluster } from "./initdb.ts";
import { localSettings, type LocalServerOptions, type LocalSettings } from "./local-settings.ts";
import { clusterPort, clusterRunning, portInUse, startCluster, stopCluster, type ClusterRef } from "./pg-ctl.ts";
import { redactUrl } from "@repo/redact";
import type { OsIdentity } from "./run-command.ts";
import { assertReachable, handOver, serverIdentity } from "./server-identity.ts";
import { withSetupLock } from "./setup-lock.ts";

/** A running local server and how to reach its database. */
export interface LocalServer {
  /** Full connection string to `database`, password included: do not log it (use `redactedUrl`). */
  url: string;
  redactedUrl: string;
  port: number;
  database: string;
  dataDir: string;
  /** e.g. "18.4" */
  serverVersion: string;
  /** True when this call started the server, false when it was already running. */
  started: boolean;
}

/** What `localServerStatus` reports. */
export interface LocalServerStatus {
  running: boolean;
  /** Connection string to the configured database, present while running. */
  url?: string;
  redactedUrl?: string;
  dataDir: string;
  /** The port it runs on, or the one it would start on. */
  port: number;
}

// How long a server that pg_ctl reports as running may take to accept our connection.
const READY_TIMEOUT_MS = 30_000;

/**
 * Starts, or reuses, the persistent embedded PostgreSQL in `<rootDir>/.local/postgres` and makes sure
 * `options.database` exists. The first call runs initdb (superuser `postgres`, random password kept
 * in credentials.json); the server is started detached with pg_ctl and outlives the caller.
 *
 * Reuse needs no lock: a server that answers on the port with our credentials and data folder is
 * ours. Otherwise the setup lock is taken and the state re-checked, so concurrent callers (in any
 * process) never initialise or start twice.
 *
 * @throws LocalServerError PORT_IN_USE, RUNNING_ON_OTHER_PORT, INIT_FAILED, START_FAILED, …
 */
export async function ensureLocalServer(options: LocalServerOptions = {}): Promise<LocalServer> {
  const settings = localSettings(options);
  const { layout, log } = settings;

  const running = await reuseRunning(settings);
  if (running) return running;

  const identity = await serverIdentity(log);
  await mkdir(layout.baseDir, { recursive: true });
  await assertReachable(identity, layout.baseDir);
  return withSetupLock(layout.baseDir, layout.lockFile, log, async () => {
    // Whoever held the lock before us may have just started it.
    return (await reuseRunning(settings)) ?? (await setUp(settings, identity));
  });
}

/**
 * Stops the local server (`pg_ctl stop -m fast`, under the setup lock). Not an error when it is not
 * running or was never created.
 */
export async function stopLocalServer(options: LocalServerOptions = {}): Promise<{ stopped: boolean; dataDir: string }> {
  const { layout, log } = localSettings(options);
  if (!initialised(layout.dataDir)) return { stopped: false, dataDir: layout.dataDir };
  const ref = await clusterRef(layout, log);
  const stopped = await withSetupLock(layout.baseDir, layout.lockFile, log, () => stopCluster(ref));
  return { stopped, dataDir: layout.dataDir };
}

/** Whether the local server runs, and on which port; never starts or creates anything. */
export async function localServerStatus(options: LocalServerOptions = {}): Promise<LocalServerStatus> {
  const { layout, port, database, log } = localSettings(options);
  const stopped = { running: false, dataDir: layout.dataDir, port };
  if (!initialised(layout.dataDir)) return stopped;
  if (!(await clusterRunning(await clusterRef(layout, log)))) return stopped;

  const actualPort = (await clusterPort(layout.dataDir)) ?? port;
  const credentials = await readCredentials(layout.credentialsFile);
  if (!credentials) return { running: true, dataDir: layout.dataDir, port: actualPort };
  const url = serverUrl(credentials, actualPort, database);
  return { running: true, url, redactedUrl: redactUrl(url), dataDir: layout.dataDir, port: actualPort };
}

/** The server, if it already runs on our port with our credentials and data folder. */
async function reuseRunning(settings: LocalSettings): Promise<LocalServer | undefined> {
  const { layout, port, database } = settings;
  // No postmaster.pid, no server: skip the connection attempt (a silent listener would stall it).
  if (!existsSync(join(layout.dataDir, "postmaster.pid"))) return undefined;
  const credentials = await readCredentials(layout.credentialsFile);
  if (!credentials) return undefined;
  const adminUrl = serverUrl(credentials, port, "postgres");
  const result = await probe(adminUrl);
  if (result.state !== "ready" || !(await sameDir(result.dataDirectory, layout.dataDir))) return undefined;
  await ensureDatabase(adminUrl, database);
  return localServer(settings, credentials, result.serverVersion, false);
}

/** Under the lock: initialise if needed, start if needed, wait until ready, create the database. */
async function setUp(settings: LocalSettings, identity: OsIdentity | undefined): Promise<LocalServer> {
  const { layout, port, database, log } = settings;
  const ref = await clusterRef(layout, log);
  const isInitialised = initialised(layout.dataDir);
  const credentials = isInitialised ? await storedCredentials(layout) : newCredentials();

  const alreadyRunning = isInitialised && (await clusterRunning(ref));
  if (alreadyRunning) {
    const actualPort = await clusterPort(layout.dataDir);
    if (actualPort !== undefined && actualPort !== port) {
      throw new LocalServerError(
        "RUNNING_ON_OTHER_PORT",
        `The embedded PostgreSQL in ${layout.dataDir} already runs on port ${actualPort}, not ${port}. ` +
          `Fix: use port ${actualPort} (LOCAL_PG_PORT=${actualPort}), or stop it first with \`pnpm db:local stop\`.`,
      );
    }
  } else {
    // Checked before initdb so a taken port fails in milliseconds, not after creating a cluster.
    await assertPortFree(port);
    if (!isInitialised) {
      log(`Creating a PostgreSQL data folder in ${layout.dataDir} (first run)…`);
      // Written first, so data never exists without its password.
      await writeCredentials(layout.credentialsFile, credentials);
      await initCluster({ ...ref, workDir: layout.baseDir, user: credentials.user, password: credentials.password });
    }
    await prepareRunFiles(settings, identity);
    log(`Starting PostgreSQL on 127.0.0.1:${port}…`);
    await startCluster({ ...ref, port, logFile: layout.logFile, socketDir: layout.socketDir });
  }

  const adminUrl = serverUrl(credentials, port, "postgres");
  const ready = await waitUntilReady(adminUrl, Date.now() + READY_TIMEOUT_MS);
  if (ready.state !== "ready") {
    const reason = ready.state === "refused" ? ready.reason : `still ${ready.state}`;
    throw new LocalServerError(
      "NOT_READY",
      `The embedded PostgreSQL in ${layout.dataDir} runs but does not accept our connection on port ${port} (${reason}). ` +
        `Fix: check ${layout.logFile}; restart it with \`pnpm db:local stop\` and try again.`,
    );
  }
  if (await ensureDatabase(adminUrl, database)) log(`Created database "${database}".`);
  return localServer(settings, credentials, ready.serverVersion, !alreadyRunning);
}

async function storedCredentials(layout: LocalSettings["layout"]): Promise<Credentials> {
  const credentials = await readCredentials(layout.credentialsFile);
  if (credentials) return credentials;
  throw new LocalServerError(
    "CREDENTIALS_MISSING",
    `${layout.dataDir} exists but ${layout.credentialsFile} is missing, so its password is unknown. ` +
      `Fix: stop any server using it (pnpm db:local stop), then delete ${layout.baseDir} to start afresh.`,
  );
}

/** The socket folder and log file must exist and belong to the server's user before it starts. */
async function prepareRunFiles(settings: LocalSettings, identity: OsIdentity | undefined): Promise<void> {
  const { socketDir, logFile } = settings.layout;
  await mkdir(socketDir, { recursive: true, mode: 0o700 });
  await (await open(logFile, "a", 0o600)).close();
  await handOver(identity, socketDir, logFile);
}

/** Fails with PORT_IN_USE when something already listens on 127.0.0.1:`port`. */
async function assertPortFree(port: number): Promise<void> {
  await new Promise<void>((resolvePromise, reject) => {
    const server = createServer();
    server.once("error", (error: NodeJS.ErrnoException) => {
      if (error.code === "EADDRINUSE") reject(portInUse(port));
      else reject(new LocalServerError("START_FAILED", `Cannot listen on 127.0.0.1:${port}: ${error.message}.`, { cause: error }));
    });
    server.listen({ port, host: "127.0.0.1", exclusive: true }, () => server.close(() => resolvePromise()));
  });
}

async function clusterRef(layout: LocalSettings["layout"], log: (line: string) => void): Promise<ClusterRef> {
  return {
    binaries: await postgresBinaries(),
    identity: await serverIdentity(log),
    dataDir: layout.dataDir,
    cwd: layout.baseDir,
  };
}

function localServer(settings: LocalSettings, credentials: Credentials, serverVersion: string, started: boolean): LocalServer {
  const url = serverUrl(credentials, settings.port, settings.database);
  return {
    url,
    redactedUrl: redactUrl(url),
    port: settings.port,
    database: settings.database,
    dataDir: settings.layout.dataDir,
    serverVersion,
    started,
  };
}

function serverUrl(credentials: Credentials, port: number, database: string): string {
  return buildUrl({ user: credentials.user, password: credentials.password, host: "127.0.0.1", port, database });
}

function initialised(dataDir: string): boolean {
  return existsSync(join(dataDir, "PG_VERSION"));
}

async function sameDir(reported: string, expected: string): Promise<boolean> {
  if (resolve(reported) === resolve(expected)) return true;
  const [a, b] = await Promise.all([realpath(reported).catch(() => reported), realpath(expected).catch(() => expected)]);
  return a === b;
}
