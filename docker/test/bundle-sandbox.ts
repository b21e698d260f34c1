// Runs a production bundle the way a container does, without a Docker engine: a clean environment, as
// uid 1000, in a network namespace of its own (no network but its own loopback), with the bundles'
// folder mounted read-only. PostgreSQL is reached through its unix socket. Needs root (unshare, mount,
// setpriv); elsewhere commands run plainly and `isolation` says why.
import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import { existsSync } from "node:fs";

export interface Sandbox {
  /** "isolated", or why the bundle runs with the machine's network and user. */
  isolation: string;
  /** The database URL the sandboxed process uses (the unix socket when isolated). */
  databaseUrl(serverUrl: string, database: string): string;
  /** Starts `argv` in the sandbox, cwd `cwd`, with exactly `env` (plus PATH). */
  spawn(argv: readonly string[], options: { cwd: string; env: Record<string, string> }): ChildProcess;
  /** Runs `argv` inside the network namespace of process `pid` (to reach a sandboxed server). */
  spawnBeside(pid: number, argv: readonly string[], env: Record<string, string>): ChildProcess;
}

const PATH = "/usr/local/bin:/usr/bin:/bin:/usr/local/sbin:/usr/sbin:/sbin";
export const BUNDLE_UID = 1000;

function works(command: string, args: string[]): boolean {
  try {
    execFileSync(command, args, { stdio: "ignore", env: { PATH } });
    return true;
  } catch {
    return false;
  }
}

function socketDirFor(serverUrl: string): string | undefined {
  const url = new URL(serverUrl);
  if (!["127.0.0.1", "localhost", "[::1]"].includes(url.hostname)) return undefined;
  const port = url.port || "5432";
  return ["/var/run/postgresql", "/run/postgresql", "/tmp"].find((dir) => existsSync(`${dir}/.s.PGSQL.${port}`));
}

/** The sandbox for bundles under `readOnlyRoot`, for a PostgreSQL server at `serverUrl`. */
export function createSandbox(readOnlyRoot: string, serverUrl: string): Sandbox {
  const socketDir = socketDirFor(serverUrl);
  const isolation =
    process.getuid?.() !== 0
      ? "not root: cannot create namespaces or switch user"
      : !socketDir
        ? "PostgreSQL has no local unix socket: the bundle needs the network to reach it"
        : !works("unshare", ["--net", "--mount", "--", "true"])
          ? "unshare --net --mount is not permitted here"
          : !works("setpriv", ["--reuid", String(BUNDLE_UID), "--regid", String(BUNDLE_UID), "--clear-groups", "--", "true"])
            ? "setpriv is missing"
            : "isolated";

  return {
    isolation,
    databaseUrl(server, database) {
      const url = new URL(server);
      url.pathname = `/${database}`;
      if (isolation === "isolated" && socketDir) {
        url.hostname = "localhost";
        url.searchParams.set("host", socketDir);
      }
      return url.toString();
    },
    spawn(argv, { cwd, env }) {
      const fullEnv = { PATH, ...env };
      if (isolation !== "isolated") return spawn(argv[0] as string, argv.slice(1), { cwd, env: fullEnv, stdio: ["ignore", "pipe", "pipe"] });
      // unshare execs sh, which execs setpriv, which execs the command: one process id throughout.
      const script = `ip link set lo up && mount --bind -o ro "$0" "$0" && cd "$1" && shift && exec setpriv --reuid ${BUNDLE_UID} --regid ${BUNDLE_UID} --clear-groups -- "$@"`;
      return spawn("unshare", ["--net", "--mount", "--", "sh", "-c", script, readOnlyRoot, cwd, ...argv], { cwd: "/", env: fullEnv, stdio: ["ignore", "pipe", "pipe"] });
    },
    spawnBeside(pid, argv, env) {
      const fullEnv = { PATH, ...env };
      if (isolation !== "isolated") return spawn(argv[0] as string, argv.slice(1), { env: fullEnv, stdio: ["ignore", "pipe", "pipe"] });
      return spawn("nsenter", ["--target", String(pid), "--net", "--", ...argv], { env: fullEnv, stdio: ["ignore", "pipe", "pipe"] });
    },
  };
}

export interface Finished {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** Waits for `child` to exit and collects its output. */
export function finished(child: ChildProcess): Promise<Finished> {
  let stdout = "";
  let stderr = "";
  child.stdout?.setEncoding("utf8").on("data", (chunk: string) => (stdout += chunk));
  child.stderr?.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk));
  return new Promise((resolve, reject) => {
    child.on("error", reject);
    child.on("close", (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
}
