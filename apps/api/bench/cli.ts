// What the API's benchmark scripts share as command-line programs: messages on stderr (stdout carries
// the table), options that say what is wrong and exit 1, and one way to end.
import { parseArgs, type ParseArgsConfig } from "node:util";

export const say = (line: string) => process.stderr.write(`${line}\n`);

/** A bad option: says which and how to fix it, exits 1 (no stack trace: nothing is broken). */
export function optionError(message: string): never {
  say(message);
  process.exit(1);
}

/** Parses `process.argv` with `options`; an unknown or malformed option is an optionError listing the known ones. */
export function parseOptions<T extends NonNullable<ParseArgsConfig["options"]>>(options: T) {
  try {
    return parseArgs({ options, strict: true, allowPositionals: false }).values;
  } catch (error) {
    return optionError(`${(error as Error).message}. Options: ${Object.keys(options).map((name) => `--${name}`).join(", ")}.`);
  }
}

/** Runs `main` and exits with its code; an error is printed (its message only) and exits 1. */
export function run(main: () => Promise<number>): void {
  main().then(
    (code) => process.exit(code),
    (error: unknown) => {
      say(error instanceof Error ? error.message : String(error));
      process.exit(1);
    },
  );
}
