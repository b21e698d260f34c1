// The database's half of a status: the schema history and the data-migration records, in one round
// trip when both tables exist (every run after the first), with existence checks first otherwise.
import type pg from "pg";
import { readDataRecords, SELECT_DATA_RECORDS, toDataRecord, type DataRecord } from "../data/records.ts";
import { readHistory, SELECT_HISTORY, toMigrationRecord, type MigrationRecord } from "./history-table.ts";

export interface Records {
  history: MigrationRecord[];
  /** Empty unless asked for. */
  dataRecords: DataRecord[];
  /** Whether every table read was there (false: at least one was missing and read as empty). */
  tablesExist: boolean;
}

type Queryable = Pick<pg.ClientBase, "query">;

/** Reads the history (and, with `withData`, the data-migration records). Changes nothing. */
export async function readRecords(db: Queryable, withData: boolean): Promise<Records> {
  try {
    // Both SELECTs in one simple query: one round trip, one result per statement.
    const result = (await db.query(withData ? `${SELECT_HISTORY};\n${SELECT_DATA_RECORDS}` : SELECT_HISTORY)) as unknown as pg.QueryResult | pg.QueryResult[];
    const [history, data] = Array.isArray(result) ? result : [result];
    return { history: (history?.rows ?? []).map(toMigrationRecord), dataRecords: (data?.rows ?? []).map(toDataRecord), tablesExist: true };
  } catch (error) {
    // 42P01 undefined_table: a database never migrated (or without data migrations yet).
    if ((error as { code?: string }).code !== "42P01") throw error;
  }
  return { history: await readHistory(db), dataRecords: withData ? await readDataRecords(db) : [], tablesExist: false };
}
