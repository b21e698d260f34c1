// Temporary shadow databases (`prisma_migrate_shadow_db_<uuid>`, Prisma's naming) and their cleanup.
// Every one created is registered until dropped, so success, failure, a panic in the engine and
// Ctrl-C all end with none left behind.
import { randomUUID } from "node:crypto";
import type { ConnectionTarget } from "../connection-config.ts";
import { connect } from "./connection.ts";

export const SHADOW_DATABASE_PREFIX = "prisma_migrate_shadow_db_";

const quoteIdent = (name: string) => `"${name.replaceAll('"', '""')}"`;
const quoteLiteral = (text: string) => `'${text.replaceAll("'", "''")}'`;

/** The comment on a shadow database of `database` (find leftovers: `shobj_description(oid, 'pg_database')`). */
export function shadowDescription(database: string): string {
  return `Prisma shadow database for ${database}`;
}

export class ShadowDatabases {
  private readonly live = new Map<string, () => Promise<void>>();

  /** Creates a shadow database beside `main`'s database. Returns its name and a `drop` to call once. */
  async create(main: ConnectionTarget): Promise<{ name: string; drop: () => Promise<void> }> {
    const name = `${SHADOW_DATABASE_PREFIX}${randomUUID()}`;
    const admin = await connect(main);
    try {
      await admin.query(`CREATE DATABASE ${quoteIdent(name)}`);
      // Says whose shadow it is, should one ever outlive its process (SIGKILL): see shadowDescription.
      await admin.query(`COMMENT ON DATABASE ${quoteIdent(name)} IS ${quoteLiteral(shadowDescription(main.database))}`);
    } catch (error) {
      await admin.end().catch(() => {});
      throw error;
    }
    let dropped: Promise<void> | undefined;
    const drop = () => {
      // FORCE (PostgreSQL 13+) ends sessions still attached, e.g. after a panic mid-command.
      dropped ??= admin
        .query(`DROP DATABASE IF EXISTS ${quoteIdent(name)} WITH (FORCE)`)
        .then(() => undefined)
        .finally(() => {
          this.live.delete(name);
          return admin.end().catch(() => {});
        });
      return dropped;
    };
    this.live.set(name, drop);
    return { name, drop };
  }

  /** Drops every shadow database still registered; never throws. */
  async dropAll(): Promise<void> {
    await Promise.allSettled([...this.live.values()].map((drop) => drop()));
  }

  get size(): number {
    return this.live.size;
  }
}
