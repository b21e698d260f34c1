// Which statements PostgreSQL refuses inside a transaction block, as one table of rules with the
// words a user reads. The engine wraps a migration in one transaction only when no rule refuses.
import type { DefElem, Node as PgNode } from "libpg-query";
import { keywordsIn } from "./parser.ts";

/** What the engine needs to know about running one statement inside a transaction. */
export interface Classification {
  transactional: boolean;
  /** Why not, when `transactional` is false. */
  reason?: string;
  /** A caveat for a statement that does run in a transaction (ALTER TYPE … ADD VALUE, CALL, …). */
  note?: string;
}

/** One row of the table: statements of `kind` (every statement when absent) that match `when`. */
export interface TransactionRule {
  kind?: string;
  /** `refuse`: PostgreSQL rejects it in a transaction block. `note`: it runs there, with a caveat. */
  effect: "refuse" | "note";
  text: string;
  when?: (node: unknown) => boolean;
}

// The payload type of each parse node kind, so each rule's predicate is checked against the AST.
type NodeKind = PgNode extends infer Each ? (Each extends unknown ? keyof Each : never) : never;
type NodeOf<K extends NodeKind> = Extract<PgNode, Record<K, unknown>>[K];

function rule<K extends NodeKind>(
  effect: TransactionRule["effect"],
  kind: K,
  text: string,
  when?: (node: NodeOf<K>) => boolean,
): TransactionRule {
  return when ? { kind, effect, text, when: when as unknown as (node: unknown) => boolean } : { kind, effect, text };
}
const refuse = <K extends NodeKind>(kind: K, text: string, when?: (node: NodeOf<K>) => boolean) => rule("refuse", kind, text, when);
const note = <K extends NodeKind>(kind: K, text: string, when?: (node: NodeOf<K>) => boolean) => rule("note", kind, text, when);

const PARTITIONED_CAVEAT = "when the table is partitioned, which the SQL alone does not tell";
const LOGICAL_SLOT_FUNCTIONS = new Set(["pg_create_logical_replication_slot", "pg_copy_logical_replication_slot"]);

/**
 * PostgreSQL 18's refusals (each `PreventInTransactionBlock` of the server's source that a migration
 * can reach), then caveats. Order matters only in that the first matching refusal gives the reason.
 */
export const TRANSACTION_RULES: readonly TransactionRule[] = [
  refuse("TransactionStmt", "explicit transaction control"),
  refuse("IndexStmt", "CREATE INDEX CONCURRENTLY cannot run inside a transaction block", (s) => s.concurrent === true),
  refuse(
    "DropStmt",
    "DROP INDEX CONCURRENTLY cannot run inside a transaction block",
    (s) => s.removeType === "OBJECT_INDEX" && s.concurrent === true,
  ),
  refuse("ReindexStmt", "REINDEX … CONCURRENTLY cannot run inside a transaction block", (s) => isOn(option(s.params, "concurrently"))),
  refuse(
    "ReindexStmt",
    "REINDEX SCHEMA, DATABASE and SYSTEM cannot run inside a transaction block (they commit once per table)",
    (s) => s.kind === "REINDEX_OBJECT_SCHEMA" || s.kind === "REINDEX_OBJECT_DATABASE" || s.kind === "REINDEX_OBJECT_SYSTEM",
  ),
  // ANALYZE shares the node but runs in a transaction; only the VACUUM command is refused.
  refuse("VacuumStmt", "VACUUM cannot run inside a transaction block", (s) => s.is_vacuumcmd === true),
  refuse(
    "ClusterStmt",
    "CLUSTER without a table name (re-clustering every clustered table) cannot run inside a transaction block",
    (s) => s.relation === undefined,
  ),
  refuse("CreatedbStmt", "CREATE DATABASE cannot run inside a transaction block"),
  refuse("DropdbStmt", "DROP DATABASE cannot run inside a transaction block"),
  refuse(
    "AlterDatabaseStmt",
    "ALTER DATABASE … SET TABLESPACE cannot run inside a transaction block",
    (s) => option(s.options, "tablespace") !== undefined,
  ),
  refuse("CreateTableSpaceStmt", "CREATE TABLESPACE cannot run inside a transaction block"),
  refuse("DropTableSpaceStmt", "DROP TABLESPACE cannot run inside a transaction block"),
  refuse("AlterSystemStmt", "ALTER SYSTEM cannot run inside a transaction block"),
  refuse(
    "CreateSubscriptionStmt",
    "CREATE SUBSCRIPTION that creates a replication slot (the default, create_slot = true) cannot run inside a transaction block",
    (s) => createsSlot(s.options),
  ),
  refuse(
    "AlterSubscriptionStmt",
    "ALTER SUBSCRIPTION … REFRESH PUBLICATION cannot run inside a transaction block",
    (s) => s.kind === "ALTER_SUBSCRIPTION_REFRESH",
  ),
  refuse(
    "AlterSubscriptionStmt",
    "ALTER SUBSCRIPTION … SET/ADD/DROP PUBLICATION with refresh (the default) cannot run inside a transaction block; add WITH (refresh = false) to keep it in one",
    (s) =>
      (s.kind === "ALTER_SUBSCRIPTION_SET_PUBLICATION" ||
        s.kind === "ALTER_SUBSCRIPTION_ADD_PUBLICATION" ||
        s.kind === "ALTER_SUBSCRIPTION_DROP_PUBLICATION") &&
      isOn(option(s.options, "refresh"), true),
  ),
  refuse(
    "AlterSubscriptionStmt",
    "ALTER SUBSCRIPTION … SET (failover | two_phase) cannot run inside a transaction block when the subscription has a replication slot",
    (s) => s.kind === "ALTER_SUBSCRIPTION_OPTIONS" && (option(s.options, "failover") !== undefined || option(s.options, "two_phase") !== undefined),
  ),
  refuse(
    "DropSubscriptionStmt",
    "DROP SUBSCRIPTION cannot run inside a transaction block when the subscription has a replication slot (unless detached first with SET (slot_name = NONE))",
  ),
  refuse("AlterTableStmt", "ALTER TABLE … DETACH PARTITION … CONCURRENTLY cannot run inside a transaction block", (s) =>
    (s.cmds ?? []).some(
      (cmd) => "AlterTableCmd" in cmd && cmd.AlterTableCmd.subtype === "AT_DetachPartition" && detachesConcurrently(cmd.AlterTableCmd.def),
    ),
  ),
  refuse("DiscardStmt", "DISCARD ALL cannot run inside a transaction block", (s) => s.target === "DISCARD_ALL"),
  // PL/pgSQL may COMMIT inside a DO block (batched backfills do), but only outside a transaction block.
  refuse("DoStmt", "a DO block that commits or rolls back cannot run inside a transaction block", (s) => {
    const language = stringOption(s.args, "language") ?? "plpgsql";
    const body = stringOption(s.args, "as");
    if (language.toLowerCase() !== "plpgsql" || body === undefined) return false;
    return keywordsIn(body).some((word) => word === "COMMIT" || word === "ROLLBACK");
  }),
  {
    effect: "refuse",
    text: "creating a logical replication slot (pg_create_logical_replication_slot) cannot run in a transaction that has already written, and the slot survives a rollback",
    when: (node) => callsAny(node, LOGICAL_SLOT_FUNCTIONS),
  },

  // Runs in a transaction since PostgreSQL 12; refusing it would cost the whole file its atomicity.
  note(
    "AlterEnumStmt",
    'ALTER TYPE … ADD VALUE runs inside a transaction, but the new value cannot be used before that transaction commits ("unsafe use of new value"): use it in a later migration, or run this file with `-- migrate: transaction=false`',
    (s) => s.newVal !== undefined && s.oldVal === undefined,
  ),
  note("ClusterStmt", `CLUSTER cannot run inside a transaction block ${PARTITIONED_CAVEAT}`),
  note(
    "ReindexStmt",
    `REINDEX TABLE/INDEX cannot run inside a transaction block ${PARTITIONED_CAVEAT}`,
    (s) => s.kind === "REINDEX_OBJECT_TABLE" || s.kind === "REINDEX_OBJECT_INDEX",
  ),
  note(
    "CallStmt",
    "a procedure that commits or rolls back cannot be called inside a transaction block: if this one does, run the file with `-- migrate: transaction=false`",
  ),
  note("LockStmt", "LOCK TABLE only works inside a transaction block: it fails if the file runs statement by statement"),
];

/** Classifies one parsed statement against TRANSACTION_RULES. Uses the scanner: the parser must be loaded. */
export function classify(kind: string, node: PgNode): Classification {
  const payload = (node as Record<string, unknown>)[kind];
  let caveat: string | undefined;
  for (const candidate of TRANSACTION_RULES) {
    if (candidate.kind !== undefined && candidate.kind !== kind) continue;
    if (candidate.when && !candidate.when(candidate.kind === undefined ? node : payload)) continue;
    if (candidate.effect === "refuse") return { transactional: false, reason: candidate.text };
    caveat ??= candidate.text;
  }
  return caveat === undefined ? { transactional: true } : { transactional: true, note: caveat };
}

function option(options: PgNode[] | undefined, name: string): DefElem | undefined {
  for (const entry of options ?? []) if ("DefElem" in entry && entry.DefElem.defname === name) return entry.DefElem;
  return undefined;
}

function stringOption(options: PgNode[] | undefined, name: string): string | undefined {
  const arg = option(options, name)?.arg;
  return arg && "String" in arg ? arg.String.sval : undefined;
}

/** A boolean option as PostgreSQL reads it: present without a value means true. */
function isOn(definition: DefElem | undefined, absent = false): boolean {
  if (!definition) return absent;
  const arg = definition.arg;
  if (!arg) return true;
  if ("String" in arg) return !["false", "off"].includes((arg.String.sval ?? "").toLowerCase());
  if ("Integer" in arg) return (arg.Integer.ival ?? 0) !== 0; // the JSON leaves out a zero
  if ("Boolean" in arg) return arg.Boolean.boolval ?? false;
  return true;
}

// create_slot defaults to true, except that connect = false turns it off.
function createsSlot(options: PgNode[] | undefined): boolean {
  const explicit = option(options, "create_slot");
  if (explicit) return isOn(explicit);
  return isOn(option(options, "connect"), true);
}

function detachesConcurrently(definition: PgNode | undefined): boolean {
  return definition !== undefined && "PartitionCmd" in definition && definition.PartitionCmd.concurrent === true;
}

/** Whether any function call in the tree (subqueries and all) names one of `names`, schema or not. */
function callsAny(tree: unknown, names: ReadonlySet<string>): boolean {
  // Runs on every statement of every file a deploy parses: plain loops, no per-node allocations.
  if (typeof tree !== "object" || tree === null) return false;
  if (Array.isArray(tree)) {
    for (const item of tree) if (callsAny(item, names)) return true;
    return false;
  }
  const node = tree as Record<string, unknown>;
  for (const key in node) {
    const value = node[key];
    if (typeof value !== "object" || value === null) continue;
    if (key === "FuncCall") {
      const parts = (value as { funcname?: PgNode[] }).funcname ?? [];
      const last = parts[parts.length - 1];
      if (last && "String" in last && names.has(last.String.sval ?? "")) return true;
    }
    if (callsAny(value, names)) return true;
  }
  return false;
}
