// The schema as the migrations build it, replayed statement by statement from the parse trees: column
// types (is this type change a rewrite?), validated `CHECK (col IS NOT NULL)` constraints (can SET NOT
// NULL skip its scan?), and what the current file created or backfilled (is this table "existing"?).
//
// "Existing table": one the current file did not create before the statement at hand. A table made by
// an earlier migration counts as existing even when that migration is new in the same release: the
// lint cannot know it is still empty when this one runs (suppress with a reason when it is).
//
// Tables are keyed by name alone: Prisma writes unqualified names in migration.sql and
// "public"-qualified ones in down.sql, for a project that keeps one schema.
import type { Constraint, Node as PgNode } from "libpg-query";
import { alterTable, columnDefOf, columnTypeOf, constraintOf, createdTable, droppedTables, renamedTable, sameTable, tableOf, type ColumnType, type Table } from "./ast.ts";
import type { LintStatement } from "./sql-file.ts";

interface TableState {
  columns: Map<string, ColumnType | undefined>;
  /** CHECK constraints that prove a column holds no NULL, by constraint name, and whether validated. */
  notNullChecks: Map<string, { column: string; valid: boolean }>;
}

export class SchemaState {
  private readonly tables = new Map<string, TableState>();
  /** What the file being replayed did so far (reset by startFile). */
  private created: Table[] = [];
  private backfilled: { table: Table; column: string; line: number }[] = [];
  private unnamed = 0;

  /** A copy to replay a file on without changing this one. */
  clone(): SchemaState {
    const copy = new SchemaState();
    for (const [name, table] of this.tables) {
      copy.tables.set(name, { columns: new Map(table.columns), notNullChecks: new Map(table.notNullChecks) });
    }
    copy.unnamed = this.unnamed;
    return copy;
  }

  /** Starts a new file: nothing in it is created or backfilled yet. */
  startFile(): void {
    this.created = [];
    this.backfilled = [];
  }

  /** Whether the current file created `table` before this point (so no other code uses its rows yet). */
  isNew(table: Table): boolean {
    return this.created.some((created) => sameTable(created, table));
  }

  /** The column's type before this point; undefined when the replayed migrations never declared it. */
  columnType(table: Table, column: string): ColumnType | undefined {
    return this.tables.get(table.name)?.columns.get(column);
  }

  hasColumn(table: Table, column: string): boolean {
    return this.tables.get(table.name)?.columns.has(column) ?? false;
  }

  /** Whether a validated CHECK constraint already proves `column` has no NULL (PostgreSQL 12+ then skips SET NOT NULL's scan). */
  hasValidNotNullCheck(table: Table, column: string): boolean {
    for (const check of this.tables.get(table.name)?.notNullChecks.values() ?? []) if (check.column === column && check.valid) return true;
    return false;
  }

  /** The line of an UPDATE in the current file that set `column` of `table`, if any. */
  backfillLine(table: Table, column: string): number | undefined {
    return this.backfilled.find((entry) => entry.column === column && sameTable(entry.table, table))?.line;
  }

  /** Moves the state past `statement`. */
  apply(statement: LintStatement): void {
    const { node } = statement;
    const created = createdTable(node);
    if (created) {
      this.created.push(created);
      this.tables.set(created.name, { columns: this.columnsOf(node), notNullChecks: new Map() });
      return;
    }
    for (const dropped of droppedTables(node)) this.tables.delete(dropped.name);
    const renamed = renamedTable(node);
    if (renamed) {
      const state = this.tables.get(renamed.from.name);
      this.tables.delete(renamed.from.name);
      if (state) this.tables.set(renamed.to.name, state);
      if (this.isNew(renamed.from)) this.created.push(renamed.to);
    }
    if ("RenameStmt" in node && node.RenameStmt.renameType === "OBJECT_COLUMN") {
      const table = tableOf(node.RenameStmt.relation);
      const { subname: from, newname: to } = node.RenameStmt;
      const columns = table && this.tables.get(table.name)?.columns;
      if (columns && from && to) {
        columns.set(to, columns.get(from));
        columns.delete(from);
      }
    }
    if ("UpdateStmt" in node) {
      const table = tableOf(node.UpdateStmt.relation);
      for (const target of node.UpdateStmt.targetList ?? []) {
        if (table && "ResTarget" in target && target.ResTarget.name) this.backfilled.push({ table, column: target.ResTarget.name, line: statement.line });
      }
    }
    this.applyAlter(node);
  }

  private applyAlter(node: PgNode): void {
    const alter = alterTable(node);
    if (!alter) return;
    let state = this.tables.get(alter.table.name);
    if (!state) {
      // A table the replay never saw created (made outside these migrations): track what it learns.
      state = { columns: new Map(), notNullChecks: new Map() };
      this.tables.set(alter.table.name, state);
    }
    for (const cmd of alter.cmds) {
      const column = columnDefOf(cmd);
      switch (cmd.subtype) {
        case "AT_AddColumn":
          if (column?.colname) state.columns.set(column.colname, columnTypeOf(column.typeName));
          break;
        case "AT_DropColumn":
          if (cmd.name) state.columns.delete(cmd.name);
          break;
        case "AT_AlterColumnType":
          if (cmd.name) state.columns.set(cmd.name, columnTypeOf(column?.typeName));
          break;
        case "AT_AddConstraint": {
          const constraint = constraintOf(cmd);
          const checked = constraint && notNullColumn(constraint);
          if (constraint && checked) state.notNullChecks.set(constraint.conname ?? `#${++this.unnamed}`, { column: checked, valid: constraint.skip_validation !== true });
          break;
        }
        case "AT_ValidateConstraint": {
          const check = cmd.name ? state.notNullChecks.get(cmd.name) : undefined;
          if (check) check.valid = true;
          break;
        }
        case "AT_DropConstraint":
          if (cmd.name) state.notNullChecks.delete(cmd.name);
          break;
        default:
          break;
      }
    }
  }

  private columnsOf(node: PgNode): Map<string, ColumnType | undefined> {
    const columns = new Map<string, ColumnType | undefined>();
    if (!("CreateStmt" in node)) return columns;
    for (const element of node.CreateStmt.tableElts ?? []) {
      if ("ColumnDef" in element && element.ColumnDef.colname) columns.set(element.ColumnDef.colname, columnTypeOf(element.ColumnDef.typeName));
    }
    return columns;
  }
}

/** The column a `CHECK (col IS NOT NULL [AND …])` constraint proves non-null, if it is one. */
export function notNullColumn(constraint: Constraint): string | undefined {
  if (constraint.contype !== "CONSTR_CHECK") return undefined;
  const conjuncts = (expr: PgNode | undefined): PgNode[] => {
    if (!expr) return [];
    if ("BoolExpr" in expr && expr.BoolExpr.boolop === "AND_EXPR") return (expr.BoolExpr.args ?? []).flatMap(conjuncts);
    return [expr];
  };
  for (const expr of conjuncts(constraint.raw_expr)) {
    if (!("NullTest" in expr) || expr.NullTest.nulltesttype !== "IS_NOT_NULL") continue;
    const arg = expr.NullTest.arg;
    if (arg && "ColumnRef" in arg) {
      const fields = arg.ColumnRef.fields ?? [];
      const last = fields[fields.length - 1];
      if (last && "String" in last && last.String.sval) return last.String.sval;
    }
  }
  return undefined;
}
