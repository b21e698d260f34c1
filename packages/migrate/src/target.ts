// Alembic's target grammar in Prisma's world: `head`, `base`, `+N`, `-N` or a migration name. One
// pure parser and two resolvers (up, down) that turn a target into the migrations to run, in order.
import { UsageError } from "./errors.ts";

export type Target =
  | { kind: "head" }
  | { kind: "base" }
  | { kind: "relative"; steps: number }
  | { kind: "migration"; name: string };

const FORMS = "head, base, +N, -N (N ≥ 1) or a migration name (whole, its timestamp, or any unique prefix)";

/** Parses a target as typed by a user. Throws a UsageError naming the accepted forms. */
export function parseTarget(text: string): Target {
  const value = text.trim();
  if (value === "head") return { kind: "head" };
  if (value === "base") return { kind: "base" };
  const relative = /^([+-])(\d+)$/.exec(value);
  if (relative) {
    const steps = Number(relative[2]);
    if (steps === 0 || !Number.isSafeInteger(steps)) throw new UsageError("INVALID_TARGET", `"${value}" moves zero or too many steps. Targets: ${FORMS}.`);
    return { kind: "relative", steps: relative[1] === "-" ? -steps : steps };
  }
  if (/^[A-Za-z0-9][A-Za-z0-9_-]*$/.test(value)) return { kind: "migration", name: value };
  throw new UsageError("INVALID_TARGET", `"${text}" is not a target. Targets: ${FORMS}.`);
}

/** The one migration a name (or unique prefix) designates among `names`. */
export function findMigration(name: string, names: readonly string[]): string {
  if (names.includes(name)) return name;
  const byPrefix = names.filter((candidate) => candidate.startsWith(name));
  if (byPrefix.length === 1) return byPrefix[0] as string;
  const bySuffix = names.filter((candidate) => candidate.endsWith(`_${name}`));
  if (byPrefix.length === 0 && bySuffix.length === 1) return bySuffix[0] as string;
  const matches = byPrefix.length ? byPrefix : bySuffix;
  if (matches.length > 1) {
    throw new UsageError("AMBIGUOUS_TARGET", `"${name}" matches ${matches.length} migrations: ${matches.join(", ")}. Give more of the name.`);
  }
  throw new UsageError("UNKNOWN_TARGET", `No migration is named "${name}".`, names.length ? `Known migrations: ${names.slice(-5).join(", ")}${names.length > 5 ? " (last 5)" : ""}.` : "There are no migrations.");
}

/**
 * The pending migrations `up` applies for `target`, in order: `head` all of them; `+N` the next N;
 * a name, every pending one up to and including it. `pending` is in apply order.
 */
export function resolveUp(target: Target, pending: readonly string[], all: readonly string[]): string[] {
  switch (target.kind) {
    case "head":
      return [...pending];
    case "relative":
      if (target.steps < 0) throw new UsageError("INVALID_TARGET", `up moves forward: use \`down ${target.steps}\` to roll back.`);
      if (target.steps > pending.length) {
        throw new UsageError("INVALID_TARGET", `up +${target.steps}: only ${pending.length} migration${pending.length === 1 ? " is" : "s are"} pending.`);
      }
      return pending.slice(0, target.steps);
    case "migration": {
      const name = findMigration(target.name, all);
      const index = pending.indexOf(name);
      return index === -1 ? [] : pending.slice(0, index + 1);
    }
    case "base":
      throw new UsageError("INVALID_TARGET", "base is where `down base` goes; up goes to head, +N or a migration.");
  }
}

/**
 * The applied migrations `down` rolls back for `target`, newest first: `-N` the last N; `base` all;
 * a name, every one applied after it (it stays applied). `applied` is in apply order.
 */
export function resolveDown(target: Target, applied: readonly string[], all: readonly string[]): string[] {
  const newestFirst = [...applied].reverse();
  switch (target.kind) {
    case "base":
      return newestFirst;
    case "relative":
      if (target.steps > 0) throw new UsageError("INVALID_TARGET", `down moves back: use \`up +${target.steps}\` to apply.`);
      if (-target.steps > applied.length) {
        throw new UsageError("INVALID_TARGET", `down ${target.steps}: only ${applied.length} migration${applied.length === 1 ? " is" : "s are"} applied.`);
      }
      return newestFirst.slice(0, -target.steps);
    case "migration": {
      const name = findMigration(target.name, all);
      const index = applied.indexOf(name);
      if (index === -1) throw new UsageError("INVALID_TARGET", `${name} is not applied: down can only go back to an applied migration.`);
      return newestFirst.slice(0, applied.length - 1 - index);
    }
    case "head":
      throw new UsageError("INVALID_TARGET", "head is where `up` goes; down goes to -N, base or a migration.");
  }
}
