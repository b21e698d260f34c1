// How PostgreSQL result columns reach the schema engine: a ColumnType per column and values in the
// shapes the engine's JS-to-quaint conversion expects. Owned here (rather than taken from
// @prisma/adapter-pg) because the engine reads catalog types that adapter rejects ("char",
// int2vector, oidvector, pg_node_tree, …) and needs "char" as a Character column.
import { ColumnTypeEnum, type ColumnType } from "@prisma/driver-adapter-utils";
import pg from "pg";

/** PostgreSQL type OIDs this module names (pg_type.oid, stable across versions). */
export const Oid = {
  bool: 16, bytea: 17, char: 18, name: 19, int8: 20, int2: 21, int4: 23, text: 25, oid: 26,
  json: 114, xml: 142, float4: 700, float8: 701, money: 790, bpchar: 1042, varchar: 1043,
  date: 1082, time: 1083, timestamp: 1114, timestamptz: 1184, timetz: 1266, bit: 1560, varbit: 1562,
  numeric: 1700, uuid: 2950, jsonb: 3802, inet: 869, cidr: 650,
  boolArray: 1000, byteaArray: 1001, charArray: 1002, nameArray: 1003, int2Array: 1005, int4Array: 1007,
  textArray: 1009, bpcharArray: 1014, varcharArray: 1015, int8Array: 1016, float4Array: 1021,
  float8Array: 1022, oidArray: 1028, timestampArray: 1115, dateArray: 1182, timeArray: 1183,
  timestamptzArray: 1185, numericArray: 1231, uuidArray: 2951, jsonArray: 199, jsonbArray: 3807,
  moneyArray: 791, xmlArray: 143, bitArray: 1561, varbitArray: 1563, inetArray: 1041, cidrArray: 651,
} as const;

const scalarColumnTypes = new Map<number, ColumnType>([
  [Oid.int2, ColumnTypeEnum.Int32],
  [Oid.int4, ColumnTypeEnum.Int32],
  [Oid.int8, ColumnTypeEnum.Int64],
  [Oid.oid, ColumnTypeEnum.Int64],
  [Oid.float4, ColumnTypeEnum.Float],
  [Oid.float8, ColumnTypeEnum.Double],
  [Oid.numeric, ColumnTypeEnum.Numeric],
  [Oid.money, ColumnTypeEnum.Numeric],
  [Oid.bool, ColumnTypeEnum.Boolean],
  [Oid.char, ColumnTypeEnum.Character],
  [Oid.date, ColumnTypeEnum.Date],
  [Oid.time, ColumnTypeEnum.Time],
  [Oid.timetz, ColumnTypeEnum.Time],
  [Oid.timestamp, ColumnTypeEnum.DateTime],
  [Oid.timestamptz, ColumnTypeEnum.DateTime],
  [Oid.json, ColumnTypeEnum.Json],
  [Oid.jsonb, ColumnTypeEnum.Json],
  [Oid.uuid, ColumnTypeEnum.Uuid],
  [Oid.bytea, ColumnTypeEnum.Bytes],
  [Oid.int2Array, ColumnTypeEnum.Int32Array],
  [Oid.int4Array, ColumnTypeEnum.Int32Array],
  [Oid.int8Array, ColumnTypeEnum.Int64Array],
  [Oid.oidArray, ColumnTypeEnum.Int64Array],
  [Oid.float4Array, ColumnTypeEnum.FloatArray],
  [Oid.float8Array, ColumnTypeEnum.DoubleArray],
  [Oid.numericArray, ColumnTypeEnum.NumericArray],
  [Oid.moneyArray, ColumnTypeEnum.NumericArray],
  [Oid.boolArray, ColumnTypeEnum.BooleanArray],
  [Oid.charArray, ColumnTypeEnum.CharacterArray],
  [Oid.textArray, ColumnTypeEnum.TextArray],
  [Oid.nameArray, ColumnTypeEnum.TextArray],
  [Oid.bpcharArray, ColumnTypeEnum.TextArray],
  [Oid.varcharArray, ColumnTypeEnum.TextArray],
  [Oid.bitArray, ColumnTypeEnum.TextArray],
  [Oid.varbitArray, ColumnTypeEnum.TextArray],
  [Oid.inetArray, ColumnTypeEnum.TextArray],
  [Oid.cidrArray, ColumnTypeEnum.TextArray],
  [Oid.xmlArray, ColumnTypeEnum.TextArray],
  [Oid.dateArray, ColumnTypeEnum.DateArray],
  [Oid.timeArray, ColumnTypeEnum.TimeArray],
  [Oid.timestampArray, ColumnTypeEnum.DateTimeArray],
  [Oid.timestamptzArray, ColumnTypeEnum.DateTimeArray],
  [Oid.jsonArray, ColumnTypeEnum.JsonArray],
  [Oid.jsonbArray, ColumnTypeEnum.JsonArray],
  [Oid.byteaArray, ColumnTypeEnum.BytesArray],
  [Oid.uuidArray, ColumnTypeEnum.UuidArray],
]);

/**
 * The engine's column type for a result column. Every type not listed above (text-like scalars,
 * user-defined types, catalog types such as int2vector or pg_node_tree) is read as text: pg returns
 * those values as their text representation, which is what the schema describer parses.
 */
export function columnTypeOf(oid: number): ColumnType {
  return scalarColumnTypes.get(oid) ?? ColumnTypeEnum.Text;
}

const { getTypeParser } = pg.types;
type Parser = (value: string) => unknown;

const arrayOf = (element: Parser): Parser => {
  const parseArray = getTypeParser(Oid.textArray as never) as (value: string) => string[];
  return (value) => parseArray(value).map((item) => (item === null ? null : element(item)));
};
const identity: Parser = (value) => value;
// The engine reads date-times as RFC 3339 text. timestamp has no zone: it is UTC by convention.
const timestamp: Parser = (value) => `${value.replace(" ", "T")}+00:00`;
const timestamptz: Parser = (value) => value.replace(" ", "T").replace(/[+-]\d{2}(:\d{2})?$/, "+00:00");
const timetz: Parser = (value) => value.replace(/[+-]\d{2}(:\d{2})?$/, "");
const money: Parser = (value) => value.slice(1);

/**
 * Text-format parsers that differ from pg's defaults: dates and times stay text (in the engine's
 * format) instead of becoming JS Dates, numerics and JSON stay text so no precision is lost.
 */
const textParsers = new Map<number, Parser>([
  [Oid.numeric, identity],
  [Oid.numericArray, arrayOf(identity)],
  [Oid.money, money],
  [Oid.moneyArray, arrayOf(money)],
  [Oid.date, identity],
  [Oid.dateArray, arrayOf(identity)],
  [Oid.time, identity],
  [Oid.timeArray, arrayOf(identity)],
  [Oid.timetz, timetz],
  [Oid.timestamp, timestamp],
  [Oid.timestampArray, arrayOf(timestamp)],
  [Oid.timestamptz, timestamptz],
  [Oid.timestamptzArray, arrayOf(timestamptz)],
  [Oid.json, identity],
  [Oid.jsonb, identity],
  [Oid.jsonArray, arrayOf(identity)],
  [Oid.jsonbArray, arrayOf(identity)],
  [Oid.bitArray, arrayOf(identity)],
  [Oid.varbitArray, arrayOf(identity)],
  [Oid.xmlArray, arrayOf(identity)],
]);

/** The `types` option for pg queries: this module's parsers first, pg's defaults otherwise. */
export const resultTypes = {
  getTypeParser(oid: number, format?: "text" | "binary") {
    if (format !== "binary") {
      const parser = textParsers.get(oid);
      if (parser) return parser;
    }
    // pg-types declares every parser as `any`: text parsers take a string, binary ones a Buffer.
    return getTypeParser(oid, format ?? "text") as Parser | ((value: Buffer) => unknown);
  },
} as const;
