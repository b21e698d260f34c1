// Structured logs (pino): one JSON object per line for machines; readable lines for a developer at a
// terminal. Passwords and credentials are redacted wherever they appear in a logged object.
import pino, { type DestinationStream, type Logger } from "pino";
import type { Config } from "./config.ts";

export type { Logger } from "pino";

/** Paths pino blanks out before writing: request bodies and headers that carry secrets. */
export const REDACTED_PATHS = [
  "password",
  "*.password",
  "hashedPassword",
  "*.hashedPassword",
  "headers.authorization",
  "headers.cookie",
  "*.headers.authorization",
  "*.headers.cookie",
];

export interface LoggerOptions {
  level: Config["logLevel"];
  environment: Config["environment"];
  /** Human-readable lines (pino-pretty) instead of JSON. */
  pretty?: boolean;
  noColor?: boolean;
  /** Where lines go (default stdout); tests pass a stream to read them. */
  destination?: DestinationStream;
}

/**
 * The process logger. `pretty` needs pino-pretty, a development dependency: when it cannot be loaded
 * (a production image), JSON lines are written instead.
 */
export async function createLogger(options: LoggerOptions): Promise<Logger> {
  const settings = loggerSettings(options);
  if (options.pretty && !options.destination) {
    const pretty = await import("pino-pretty").catch(() => undefined);
    if (pretty) {
      return pino(
        settings,
        pretty.default({
          colorize: !options.noColor,
          translateTime: "HH:MM:ss.l",
          // A request on one line: "GET /posts → 200 (3.1 ms)".
          ignore: "pid,hostname,service,env,requestId,method,path,status,durationMs",
          messageFormat: (log, messageKey) =>
            typeof log.method === "string" ? `${log.method} ${String(log.path)} → ${String(log.status)} (${String(log.durationMs)} ms)` : String(log[messageKey]),
        }),
      );
    }
  }
  return pino(settings, options.destination ?? pino.destination({ fd: 1, sync: false }));
}

/** The settings every API logger shares: level, base fields, ISO timestamps, redaction. */
export function loggerSettings(options: Pick<LoggerOptions, "level" | "environment">): pino.LoggerOptions {
  return {
    level: options.level,
    base: { service: "api", env: options.environment },
    timestamp: pino.stdTimeFunctions.isoTime,
    redact: { paths: REDACTED_PATHS, censor: "[redacted]" },
  };
}

/** Whether to write pretty lines: a developer's terminal, never a pipeline or a deployed service. */
export const wantsPrettyLogs = (environment: Config["environment"]) => environment === "development" && process.stdout.isTTY;
