// How the migrator writes: aligned tables and colour for a person at a terminal; one JSON object per
// line for pipelines (--json, or stdout not a TTY is still plain text unless --json). NO_COLOR is honoured.
import { stripVTControlCharacters, styleText } from "node:util";

type Style = "green" | "yellow" | "red" | "dim" | "bold" | "cyan";

export interface Output {
  json: boolean;
  /** A line for people (ignored in JSON mode). */
  line(text?: string): void;
  /** One JSON object per line (JSON mode only). */
  event(object: Record<string, unknown>): void;
  /** Colours `text` when colour is on. */
  paint(style: Style, text: string): string;
  /** Where errors and warnings go for people: stderr. */
  error(text: string): void;
}

export function createOutput(options: { json: boolean; color?: boolean | undefined; stdout?: NodeJS.WriteStream; stderr?: NodeJS.WriteStream }): Output {
  const stdout = options.stdout ?? process.stdout;
  const stderr = options.stderr ?? process.stderr;
  const colour = options.color !== false && !process.env.NO_COLOR && !!stdout.isTTY && !options.json;
  return {
    json: options.json,
    line(text = "") {
      if (!options.json) stdout.write(`${text}\n`);
    },
    event(object) {
      if (options.json) stdout.write(`${JSON.stringify(object)}\n`);
    },
    paint(style, text) {
      return colour ? styleText(style, text) : text;
    },
    error(text) {
      stderr.write(`${text}\n`);
    },
  };
}

/** Visible width, ignoring ANSI colour codes. */
const width = (text: string) => stripVTControlCharacters(text).length;

/** Rows aligned in columns, two spaces apart; the last column is not padded. */
export function table(rows: string[][], indent = "  "): string[] {
  const widths: number[] = [];
  for (const row of rows) row.forEach((cell, i) => (widths[i] = Math.max(widths[i] ?? 0, width(cell))));
  return rows.map((row) => indent + row.map((cell, i) => (i === row.length - 1 ? cell : cell + " ".repeat((widths[i] ?? 0) - width(cell)))).join("  ").trimEnd());
}

export function formatDuration(ms: number | null | undefined): string {
  if (ms === null || ms === undefined) return "";
  if (ms < 1000) return `${ms} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  return `${Math.floor(ms / 60_000)} min ${Math.round((ms % 60_000) / 1000)} s`;
}

export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 ** 2) return `${(bytes / 1024).toFixed(1)} KiB`;
  if (bytes < 1024 ** 3) return `${(bytes / 1024 ** 2).toFixed(1)} MiB`;
  return `${(bytes / 1024 ** 3).toFixed(2)} GiB`;
}

export function formatTime(date: Date | null | undefined): string {
  return date ? date.toISOString().replace("T", " ").slice(0, 19) : "";
}
