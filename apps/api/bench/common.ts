// What the API's benchmark scripts share: messages on stderr (stdout carries the table), options that
// say what is wrong and exit 1, one way to end, and the median they report.
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

/** Option `--name`'s value as a whole number of at least `min`; anything else is an optionError. */
export function wholeNumber(name: string, value: string | undefined, min = 1): number {
  const number = Number(value);
  return Number.isInteger(number) && number >= min ? number : optionError(`--${name}: a whole number of at least ${min}, please`);
}

/** The middle value (the upper one of an even count); NaN for none. */
export const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? Number.NaN;

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
