// A small PostgreSQL driver adapter for the WebAssembly schema engine, on `pg`. One connection per
// adapter, as the native engine has: its advisory lock, session settings and scripts all see the same
// session. Scripts go to the server whole (one simple query: one implicit transaction, dollar-quoted
// bodies intact), as the native engine sends them.
import {
  type IsolationLevel,
  type SqlDriverAdapter,
  type SqlMigrationAwareDriverAdapterFactory,
  type SqlQuery,
  type SqlQueryable,
  type SqlResultSet,
  type Transaction,
  type ConnectionInfo,
} from "@prisma/driver-adapter-utils";
import pg from "pg";
import { parseConnectionUrl, type ConnectionTarget } from "../connection-config.ts";
import { toPgValue } from "./arguments.ts";
import { columnTypeOf, resultTypes } from "./column-types.ts";
import { connect } from "./connection.ts";
import { rethrowAsAdapterError } from "./errors.ts";
import { ShadowDatabases } from "./shadow-databases.ts";

const ADAPTER_NAME = "@repo/prisma-engine";

class PgQueryable implements SqlQueryable {
  readonly provider = "postgres" as const;
  readonly adapterName = ADAPTER_NAME;

  constructor(protected readonly client: pg.Client) {}

  async queryRaw(query: SqlQuery): Promise<SqlResultSet> {
    const result = await this.run(query);
    return {
      columnNames: result.fields.map((field) => field.name),
      columnTypes: result.fields.map((field) => columnTypeOf(field.dataTypeID)),
      rows: result.rows as unknown[][],
    };
  }

  async executeRaw(query: SqlQuery): Promise<number> {
    return (await this.run(query)).rowCount ?? 0;
  }

  private async run(query: SqlQuery): Promise<pg.QueryArrayResult> {
    try {
      return await this.client.query({
        text: query.sql,
        values: query.args.map((arg, i) => toPgValue(arg, query.argTypes[i])),
        rowMode: "array",
        types: resultTypes,
      });
    } catch (error) {
      rethrowAsAdapterError(error, query.sql);
    }
  }
}

/** A transaction on the adapter's one connection. The engine itself sends COMMIT or ROLLBACK. */
class PgTransaction extends PgQueryable implements Transaction {
  readonly options = { usePhantomQuery: false };

  async commit(): Promise<void> {}
  async rollback(): Promise<void> {}
}

class PgAdapter extends PgQueryable implements SqlDriverAdapter {
  constructor(
    client: pg.Client,
    private readonly target: ConnectionTarget,
    private readonly onDispose: () => Promise<void> = async () => {},
  ) {
    super(client);
  }

  async executeScript(script: string): Promise<void> {
    try {
      await this.client.query(script);
    } catch (error) {
      rethrowAsAdapterError(error, script);
    }
  }

  async startTransaction(isolationLevel?: IsolationLevel): Promise<Transaction> {
    const tx = new PgTransaction(this.client);
    await tx.executeRaw({ sql: "BEGIN", args: [], argTypes: [] });
    if (isolationLevel) {
      await tx.executeRaw({ sql: `SET TRANSACTION ISOLATION LEVEL ${isolationLevel}`, args: [], argTypes: [] });
    }
    return tx;
  }

  getConnectionInfo(): ConnectionInfo {
    return { schemaName: this.target.schema, supportsRelationJoins: true };
  }

  async dispose(): Promise<void> {
    await this.client.end().catch(() => {});
    await this.onDispose();
  }
}

export interface AdapterFactoryOptions {
  /** The database the engine works on. */
  url: string;
  /** A shadow database the user provides (`shadowDatabaseUrl`); otherwise one is created and dropped. */
  shadowDatabaseUrl?: string | undefined;
  /** Where temporary shadow databases are registered, so every exit path can drop them. */
  shadowDatabases: ShadowDatabases;
}

export interface BridgeAdapterFactory extends SqlMigrationAwareDriverAdapterFactory {
  /** Closes every connection the factory opened that the engine has not disposed of. */
  closeAll(): Promise<void>;
}

/** The adapter factory the schema engine is given: the main database and, on demand, a shadow one. */
export function createAdapterFactory(options: AdapterFactoryOptions): BridgeAdapterFactory {
  const target = parseConnectionUrl(options.url);
  const open = new Set<pg.Client>();
  const track = async (t: ConnectionTarget) => {
    const client = await connect(t);
    open.add(client);
    client.once("end", () => open.delete(client));
    return client;
  };
  return {
    provider: "postgres",
    adapterName: ADAPTER_NAME,
    async connect() {
      return new PgAdapter(await track(target), target);
    },
    async connectToShadowDb() {
      if (options.shadowDatabaseUrl) {
        const shadow = parseConnectionUrl(options.shadowDatabaseUrl);
        return new PgAdapter(await track(shadow), shadow);
      }
      const { name, drop } = await options.shadowDatabases.create(target);
      const shadow: ConnectionTarget = { ...target, config: { ...target.config, database: name }, database: name };
      try {
        return new PgAdapter(await track(shadow), shadow, drop);
      } catch (error) {
        await drop();
        throw error;
      }
    },
    async closeAll() {
      await Promise.allSettled([...open].map((client) => client.end()));
    },
  };
}
