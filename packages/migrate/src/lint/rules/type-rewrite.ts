// Which column type changes make PostgreSQL rewrite the table (and rebuild its indexes) and which it
// does as a catalog update: binary-coercible casts, and modifier changes that only widen. Mirrors
// ATColumnChangeRequiresRewrite and the typmod support functions of varchar, numeric, varbit and the
// time types. Unknown pairs count as rewrites: the lint would rather ask than miss one.
import type { ColumnType } from "../ast.ts";

/** Casts PostgreSQL performs as a relabel (same bytes): no rewrite when no length check is added. */
const BINARY_COERCIBLE: ReadonlySet<string> = new Set(["varchar>text", "text>varchar", "cidr>inet"]);

/** Types whose modifier is a precision that may grow without a rewrite. */
const PRECISION_TYPES: ReadonlySet<string> = new Set(["timestamp", "timestamptz", "time", "timetz"]);

/** Whether changing a column from `from` to `to` rewrites the table; `using` when the change has a USING expression other than the column itself. */
export function rewritesTable(from: ColumnType, to: ColumnType, using = false): boolean {
  if (using) return true;
  if (from.array !== to.array) return true;
  if (from.name !== to.name) {
    if (!BINARY_COERCIBLE.has(`${from.name}>${to.name}`)) return true;
    // varchar(n) → text, text → varchar: a relabel. text → varchar(n) adds a length check: rewrite.
    return to.mods.length > 0;
  }
  if (sameMods(from.mods, to.mods)) return false;
  const [before] = from.mods;
  const [after] = to.mods;
  switch (from.name) {
    case "varchar":
    case "varbit":
      // Dropping the limit or raising it keeps every value valid: catalog only.
      return after !== undefined && (before === undefined || after < before);
    case "numeric": {
      if (to.mods.length === 0) return false; // to unconstrained numeric
      if (from.mods.length === 0) return true;
      const scaleBefore = from.mods[1] ?? 0;
      const scaleAfter = to.mods[1] ?? 0;
      return scaleAfter !== scaleBefore || (after ?? 0) < (before ?? 0);
    }
    default:
      if (PRECISION_TYPES.has(from.name)) {
        // No modifier means the full precision (6).
        return (after ?? 6) < (before ?? 6);
      }
      return true;
  }
}

function sameMods(a: number[], b: number[]): boolean {
  return a.length === b.length && a.every((value, index) => value === b[index]);
}
