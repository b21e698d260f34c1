// `pnpm db:local <command>`: start, stop and inspect the persistent embedded PostgreSQL by hand, and
// print its URL for scripts. Parses arguments, calls the library, prints; the only process.exit.
//
// Exit codes: 0 success, 1 failure (message on stderr), 2 unknown command or option (usage on stderr).

import { DevPostgresError } from "./errors.ts";
import { ensureLocalServer, localServerStatus, stopLocalServer } from "./local-server.ts";

const USAGE = `Usage: pnpm db:local <command> [--json]

Manage the embedded PostgreSQL whose files live in .local/postgres (port 54329, or LOCAL_PG_PORT).

Commands:
  start    start it (or find it running) and print its URL, password hidden
  stop     stop it (fast shutdown); fine when it is not running
  status   say whether it runs, and where
  url      print its full URL, password included, for scripts:
             DATABASE_URL=$(pnpm -s db:local url)

Options:
  --json   print one JSON object instead of text (start, stop, status)`;

type Print = (text: string) => void;

async function run(args: string[], print: Print): Promise<number> {
  const json = args.includes("--json");
  const rest = args.filter((arg) => arg !== "--json");
  const [command, ...extra] = rest;
  if (command === "help" || command === "--help" || command === "-h") {
    print(USAGE);
    return 0;
  }
  if (command === undefined) return usageError("no command given");
  if (extra.length > 0) return usageError(`unexpected ${extra.join(" ")}`);

  switch (command) {
    case "start": {
      const server = await ensureLocalServer();
      const { url: _secret, ...shown } = server;
      const state = server.started ? "started" : "already running";
      print(json ? JSON.stringify(shown) : `PostgreSQL ${server.serverVersion} ${state} at ${server.redactedUrl}`);
      return 0;
    }
    case "stop": {
      const result = await stopLocalServer();
      const text = result.stopped ? "Stopped the embedded PostgreSQL." : "The embedded PostgreSQL was not running.";
      print(json ? JSON.stringify(result) : text);
      return 0;
    }
    case "status": {
      const { url: _secret, ...status } = await localServerStatus();
      print(
        json
          ? JSON.stringify(status)
          : status.running
            ? `Running at ${status.redactedUrl ?? `127.0.0.1:${status.port}`} (data in ${status.dataDir})`
            : `Not running (port ${status.port}, data in ${status.dataDir})`,
      );
      return 0;
    }
    case "url": {
      // Progress lines go to stderr, so stdout carries the URL alone.
      print((await ensureLocalServer()).url);
      return 0;
    }
    default:
      return usageError(`unknown command "${command}"`);
  }
}

function usageError(problem: string): number {
  process.stderr.write(`db:local: ${problem}\n\n${USAGE}\n`);
  return 2;
}

async function main(): Promise<void> {
  let code: number;
  try {
    code = await run(process.argv.slice(2), (text) => process.stdout.write(`${text}\n`));
  } catch (error) {
    // Our errors are expected and explain themselves; anything else is a bug, so show its stack.
    const message =
      error instanceof DevPostgresError
        ? `${error.message} [${error.code}]`
        : error instanceof Error
          ? (error.stack ?? error.message)
          : String(error);
    process.stderr.write(`db:local: ${message}\n`);
    code = 1;
  }
  // Let piped output drain before exiting (writes to pipes are asynchronous on macOS).
  process.stdout.write("", () => process.exit(code));
}

await main();
