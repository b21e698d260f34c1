// The migrator process: runs the CLI and exits with its code. The only place that calls process.exit.
import { runCli } from "./cli.ts";
import { ExitCode } from "./exit-codes.ts";

let interrupted = false;
const onSignal = (signal: NodeJS.Signals) => {
  // A second signal ends at once; the first lets the current statement finish its round trip.
  if (interrupted) process.exit(ExitCode.interrupted);
  interrupted = true;
  process.stderr.write(`Received ${signal}: stopping. A transactional migration in progress is rolled back by PostgreSQL.\n`);
  process.exit(ExitCode.interrupted);
};
process.on("SIGINT", onSignal);
process.on("SIGTERM", onSignal);

process.exitCode = await runCli(process.argv.slice(2));
