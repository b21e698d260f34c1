// Small readers over libpg-query's JSON parse tree, shared by the lint rules: which table a
// statement touches, what an ALTER TABLE does, a column's type, the columns an expression reads.
// Identifiers arrive as PostgreSQL stores them: unquoted names already folded to lower case.
import type { AlterTableCmd, ColumnDef, Constraint, Node as PgNode, RangeVar, TypeName } from "libpg-query";

/** A table as a statement names it; `schema` is absent when the SQL leaves it to search_path. */
export interface Table {
  schema?: string | undefined;
  name: string;
}

export function tableOf(range: RangeVar | undefined): Table | undefined {
  if (!range?.relname) return undefined;
  return { schema: range.schemaname, name: range.relname };
}

/** The same table, unless both name a schema and the schemas differ (`"public"."post"` is `post`). */
export function sameTable(a: Table, b: Table): boolean {
  return a.name === b.name && (a.schema === undefined || b.schema === undefined || a.schema === b.schema);
}

/** How a table reads in a message: `"public"."post"`, or `"post"`. */
export function tableText(table: Table): string {
  return table.schema === undefined ? quote(table.name) : `${quote(table.schema)}.${quote(table.name)}`;
}

export function quote(identifier: string): string {
  return `"${identifier.replaceAll('"', '""')}"`;
}

/** A list of String nodes (qualified names, column lists) as plain strings. */
export function names(nodes: PgNode[] | undefined): string[] {
  return (nodes ?? []).flatMap((node) => ("String" in node && node.String.sval !== undefined ? [node.String.sval] : []));
}

/** The tables a `DROP TABLE a, b.c` names (empty for other DROPs). */
export function droppedTables(node: PgNode): Table[] {
  if (!("DropStmt" in node) || node.DropStmt.removeType !== "OBJECT_TABLE") return [];
  return (node.DropStmt.objects ?? []).flatMap((object) => {
    const parts = "List" in object ? names(object.List.items) : [];
    const name = parts[parts.length - 1];
    if (name === undefined) return [];
    return [{ schema: parts.length > 1 ? parts[parts.length - 2] : undefined, name }];
  });
}

/** An ALTER TABLE's target and commands; undefined for other statements (ALTER INDEX, ALTER VIEW, …). */
export function alterTable(node: PgNode): { table: Table; cmds: AlterTableCmd[] } | undefined {
  if (!("AlterTableStmt" in node)) return undefined;
  const statement = node.AlterTableStmt;
  if (statement.objtype !== undefined && statement.objtype !== "OBJECT_TABLE") return undefined;
  const table = tableOf(statement.relation);
  if (!table) return undefined;
  const cmds = (statement.cmds ?? []).flatMap((cmd) => ("AlterTableCmd" in cmd ? [cmd.AlterTableCmd] : []));
  return { table, cmds };
}

export function columnDefOf(cmd: AlterTableCmd): ColumnDef | undefined {
  return cmd.def && "ColumnDef" in cmd.def ? cmd.def.ColumnDef : undefined;
}

export function constraintOf(cmd: AlterTableCmd): Constraint | undefined {
  return cmd.def && "Constraint" in cmd.def ? cmd.def.Constraint : undefined;
}

export function columnConstraints(column: ColumnDef): Constraint[] {
  return (column.constraints ?? []).flatMap((node) => ("Constraint" in node ? [node.Constraint] : []));
}

/** The table a CREATE TABLE (or CREATE TABLE … AS, SELECT … INTO) makes, if the statement is one. */
export function createdTable(node: PgNode): Table | undefined {
  if ("CreateStmt" in node) return tableOf(node.CreateStmt.relation);
  if ("CreateTableAsStmt" in node && node.CreateTableAsStmt.objtype === "OBJECT_TABLE") return tableOf(node.CreateTableAsStmt.into?.rel);
  if ("SelectStmt" in node && node.SelectStmt.intoClause) return tableOf(node.SelectStmt.intoClause.rel);
  return undefined;
}

/** `ALTER TABLE a RENAME TO b`: the table before and after. */
export function renamedTable(node: PgNode): { from: Table; to: Table } | undefined {
  if (!("RenameStmt" in node) || node.RenameStmt.renameType !== "OBJECT_TABLE") return undefined;
  const from = tableOf(node.RenameStmt.relation);
  const to = node.RenameStmt.newname;
  return from && to ? { from, to: { schema: from.schema, name: to } } : undefined;
}

/** A column type reduced to what decides whether changing it rewrites the table. */
export interface ColumnType {
  /** The type's internal name: `int4`, `varchar`, `timestamptz`, `numeric`, or a user type's name. */
  name: string;
  /** Its modifiers: `varchar(30)` → [30], `numeric(10, 2)` → [10, 2], none → []. */
  mods: number[];
  array: boolean;
}

// What PostgreSQL's grammar leaves as typed (identifiers, not keywords) mapped to internal names.
const TYPE_ALIASES: Readonly<Record<string, string>> = {
  int: "int4",
  integer: "int4",
  smallint: "int2",
  bigint: "int8",
  serial: "int4",
  serial4: "int4",
  smallserial: "int2",
  serial2: "int2",
  bigserial: "int8",
  serial8: "int8",
  boolean: "bool",
  real: "float4",
  decimal: "numeric",
  character: "bpchar",
  char: "bpchar",
  "character varying": "varchar",
  "timestamp with time zone": "timestamptz",
  "timestamp without time zone": "timestamp",
  "time with time zone": "timetz",
  "time without time zone": "time",
};

export function columnTypeOf(typeName: TypeName | undefined): ColumnType | undefined {
  const parts = names(typeName?.names);
  const last = parts[parts.length - 1];
  if (last === undefined) return undefined;
  // `pg_catalog.bpchar` is char(n); a quoted "char" (one byte) is written without the schema.
  const name = parts.length === 1 && last === "char" ? "char" : (TYPE_ALIASES[last] ?? last);
  const mods = (typeName?.typmods ?? []).map((node) => ("A_Const" in node ? (node.A_Const.ival?.ival ?? 0) : Number.NaN));
  return { name, mods, array: (typeName?.arrayBounds?.length ?? 0) > 0 };
}

export function typeText(type: ColumnType): string {
  return `${type.name}${type.mods.length ? `(${type.mods.join(",")})` : ""}${type.array ? "[]" : ""}`;
}

/** Every column an expression (or any subtree) reads, by its last name part: `p.a` → `a`. */
export function columnsRead(tree: unknown): Set<string> {
  const found = new Set<string>();
  visit(tree, (key, value) => {
    if (key !== "ColumnRef") return;
    const fields = names((value as { fields?: PgNode[] }).fields);
    const last = fields[fields.length - 1];
    if (last !== undefined) found.add(last);
  });
  return found;
}

/** Every table the subtree names in a FROM list, subquery, INSERT … SELECT: each `RangeVar` in it. */
export function tablesRead(tree: unknown): Table[] {
  const found: Table[] = [];
  visit(tree, (key, value) => {
    if (key !== "RangeVar") return;
    const table = tableOf(value as RangeVar);
    if (table) found.push(table);
  });
  return found;
}

/** Calls `each(key, value)` for every property of every object in the tree, depth first. */
export function visit(tree: unknown, each: (key: string, value: unknown) => void): void {
  if (Array.isArray(tree)) {
    for (const item of tree) visit(item, each);
    return;
  }
  if (typeof tree !== "object" || tree === null) return;
  for (const [key, value] of Object.entries(tree)) {
    each(key, value);
    visit(value, each);
  }
}
