// Per-file settings written as header comments, `-- migrate: key=value key2=value2`, so a migration
// can carry its own timeouts, transaction choice and retry count beside the SQL they govern.
import { DURATION_FORMS, parseDuration, type Duration } from "./duration.ts";
import { SqlDirectiveError } from "./errors.ts";

/** The settings a file's header asks for; a key absent from the file is absent here. */
export interface Directives {
  /** `lock_timeout`: how long each statement may wait for a lock. */
  lockTimeout?: Duration;
  /** `statement_timeout`: how long each statement may run. */
  statementTimeout?: Duration;
  /** `transaction`: true forces one transaction around the file, false forbids it. */
  transaction?: boolean;
  /** `retries`: how many times to retry the file after a lock timeout. */
  retries?: number;
}

interface Reader {
  field: keyof Directives;
  accepted: string;
  /** The value read, or undefined when `value` is not in an accepted form. */
  read: (value: string) => Directives[keyof Directives] | undefined;
}

/** Each key the header may set, the field it fills, and the forms it accepts. */
const KEYS: Readonly<Record<string, Reader>> = {
  lock_timeout: { field: "lockTimeout", accepted: DURATION_FORMS, read: parseDuration },
  statement_timeout: { field: "statementTimeout", accepted: DURATION_FORMS, read: parseDuration },
  transaction: {
    field: "transaction",
    accepted: "true or false",
    read: (value) => (value === "true" ? true : value === "false" ? false : undefined),
  },
  retries: {
    field: "retries",
    accepted: "a whole number, 0 or more",
    read: (value) => (/^\d+$/.test(value) && Number.isSafeInteger(Number(value)) ? Number(value) : undefined),
  },
};

const LINE_FORM = `\`-- migrate: key=value key2=value2\` with keys ${Object.keys(KEYS).join(", ")}`;

/**
 * Reads the `-- migrate:` lines among the comments before the first statement (the prefix is
 * case-insensitive; directives further down are ignored, as ordinary comments). Throws
 * SqlDirectiveError (code `INVALID_DIRECTIVE`) for an unknown or repeated key or a malformed
 * value. Pure: needs no parser.
 */
export function parseDirectives(sql: string): Directives {
  const directives: Directives = {};
  const seenOn = new Map<string, number>();
  for (const { text, line } of headerLineComments(sql)) {
    const directive = /^--\s*migrate:(.*)$/i.exec(text);
    if (!directive) continue;
    // `-- migrate:allow <rule> <reason>` is a lint suppression (src/lint/suppressions.ts), not a setting.
    if (/^allow(\s|$)/i.test(directive[1] as string)) continue;
    const pairs = (directive[1] as string).trim().split(/\s+/).filter(Boolean);
    if (pairs.length === 0) throw new SqlDirectiveError(line, "", undefined, LINE_FORM, "empty `-- migrate:` directive");
    for (const pair of pairs) {
      const equals = pair.indexOf("=");
      const key = equals === -1 ? pair : pair.slice(0, equals);
      const reader = KEYS[key];
      if (!reader) throw new SqlDirectiveError(line, key, undefined, LINE_FORM, `unknown directive key "${key}"`);
      const value = equals === -1 ? "" : pair.slice(equals + 1);
      if (seenOn.has(key)) {
        throw new SqlDirectiveError(line, key, value, LINE_FORM, `"${key}" is already set on line ${seenOn.get(key)}`);
      }
      const parsed = reader.read(value);
      if (parsed === undefined) {
        throw new SqlDirectiveError(line, key, value, reader.accepted, `"${key}=${value}" is not a valid value for ${key}`);
      }
      (directives as Record<keyof Directives, unknown>)[reader.field] = parsed;
      seenOn.set(key, line);
    }
  }
  return directives;
}

/**
 * The `--` comments before the first statement, with their 1-based lines. Skips whitespace and
 * (nested, as PostgreSQL nests them) block comments; stops at the first other character. This is
 * the whole lexical grammar of a file's header, so no parser is needed.
 */
function* headerLineComments(sql: string): Generator<{ text: string; line: number }> {
  let line = 1;
  let index = sql.startsWith("\uFEFF") ? 1 : 0;
  while (index < sql.length) {
    const char = sql[index] as string;
    if (char === "\n") {
      line++;
      index++;
    } else if (char === " " || char === "\t" || char === "\r" || char === "\f" || char === "\v") {
      index++;
    } else if (sql.startsWith("--", index)) {
      const endOfLine = sql.indexOf("\n", index);
      const end = endOfLine === -1 ? sql.length : endOfLine;
      yield { text: sql.slice(index, end).trimEnd(), line };
      index = end;
    } else if (sql.startsWith("/*", index)) {
      let depth = 1;
      index += 2;
      while (index < sql.length && depth > 0) {
        if (sql.startsWith("/*", index)) {
          depth++;
          index += 2;
        } else if (sql.startsWith("*/", index)) {
          depth--;
          index += 2;
        } else {
          if (sql[index] === "\n") line++;
          index++;
        }
      }
    } else {
      return;
    }
  }
}
