// What every benchmark's main does around its measurements: options (usage and exit 2 when wrong),
// a scratch folder and databases that are dropped at the end, on failure (exit 1, with the reason)
// and on Ctrl-C or SIGTERM (exit 130). A benchmark supplies its options parser and its body.
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";

/** A bad command-line option: printed with the usage, exit code 2. */
export class UsageError extends Error {}

/** `text` as an integer of at least `min` (`_` allowed as a thousands separator), or a UsageError naming `--flag`. */
export function count(flag: string, text: string, min: number): number {
  const n = Number(text.replaceAll("_", ""));
  if (!Number.isInteger(n) || n < min) throw new UsageError(`--${flag} ${text}: expected an integer ≥ ${min}.`);
  return n;
}

export interface BenchmarkSession {
  /** A scratch folder, removed at the end. */
  root: string;
  /** Progress lines, on stderr (stdout carries the report). */
  progress: (line: string) => void;
  /** Registers what holds the benchmark's databases: closed (dropped) at the end, whatever happens. */
  track: (databases: { close(): Promise<void> }) => void;
  /** Whether a signal is stopping the run (a failure then is the signal's doing, not news). */
  readonly interrupted: boolean;
}

export interface Benchmark<Options> {
  /** `bench:deploy`, say: names the benchmark in failure messages and its scratch folder. */
  name: string;
  usage: string;
  /** The options, or undefined for --help; throws UsageError. */
  parse(argv: string[]): Options | undefined;
  run(options: Options, session: BenchmarkSession): Promise<void>;
}

/** Runs a benchmark and resolves with its exit code: 0 measured, 1 failed, 2 usage, 130 interrupted. */
export async function runBenchmark<Options>(benchmark: Benchmark<Options>, argv: string[]): Promise<number> {
  let options: Options | undefined;
  try {
    options = benchmark.parse(argv);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    process.stderr.write(`${error.message}\n\n${benchmark.usage}\n`);
    return 2;
  }
  if (!options) {
    process.stdout.write(`${benchmark.usage}\n`);
    return 0;
  }
  const progress = (line: string) => process.stderr.write(`${line}\n`);
  const root = await mkdtemp(path.join(os.tmpdir(), `${benchmark.name.replace(/\W+/g, "-")}-`));
  const held: { close(): Promise<void> }[] = [];
  let cleaning: Promise<void> | undefined;
  const cleanUp = () =>
    (cleaning ??= (async () => {
      for (const databases of held) await databases.close().catch((error: unknown) => progress(`Could not drop every benchmark database: ${String(error)}`));
      await rm(root, { recursive: true, force: true });
    })());
  let interrupted = false;
  const onSignal = (signal: NodeJS.Signals) => {
    interrupted = true;
    progress(`${signal}: dropping the benchmark's databases and temporary files`);
    void cleanUp().finally(() => process.exit(130));
  };
  process.once("SIGINT", onSignal);
  process.once("SIGTERM", onSignal);

  const session: BenchmarkSession = {
    root,
    progress,
    track: (databases) => void held.push(databases),
    get interrupted() {
      return interrupted;
    },
  };
  try {
    await benchmark.run(options, session);
    return 0;
  } catch (error) {
    if (interrupted) return 130;
    progress(`${benchmark.name} failed: ${error instanceof Error ? error.message : String(error)}`);
    return 1;
  } finally {
    await cleanUp();
  }
}
