// The migrator process: runs the CLI and exits with its code. The only place that calls process.exit.
// No top-level await: the production build bundles this file as CommonJS (see scripts/build.ts).
import "./navigator.ts";

async function main(): Promise<void> {
  // The rest (and with it pg) is imported only now, after navigator.ts has run: statically imported
  // modules would run before it.
  const [{ runCli }, { ExitCode }] = await Promise.all([import("./cli.ts"), import("./exit-codes.ts")]);

  // The first SIGTERM/SIGINT asks the run to stop after its current step or batch (Kubernetes sends
  // SIGTERM, then SIGKILL after the grace period); a second one ends the process at once, which is safe
  // too: PostgreSQL rolls back the transaction in flight.
  const stop = new AbortController();
  const onSignal = (signal: NodeJS.Signals) => {
    if (stop.signal.aborted) process.exit(ExitCode.interrupted);
    process.stderr.write(`Received ${signal}: stopping after the current step or batch (send it again to stop at once).\n`);
    stop.abort();
  };
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);

  process.exitCode = await runCli(process.argv.slice(2), { signal: stop.signal });
  // Nothing may keep the process alive once the command is done (pools, timers).
  process.exit();
}

void main();
