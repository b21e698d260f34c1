// Query arguments from the schema engine, turned into values `pg` sends as PostgreSQL text.
import type { ArgType } from "@prisma/driver-adapter-utils";

const pad = (n: number, width = 2) => String(n).padStart(width, "0");

function formatDate(date: Date): string {
  return `${pad(date.getUTCFullYear(), 4)}-${pad(date.getUTCMonth() + 1)}-${pad(date.getUTCDate())}`;
}

function formatTime(date: Date): string {
  const ms = date.getUTCMilliseconds();
  return `${pad(date.getUTCHours())}:${pad(date.getUTCMinutes())}:${pad(date.getUTCSeconds())}${ms ? `.${pad(ms, 3)}` : ""}`;
}

/** One argument as `pg` should send it. Date-times are sent in UTC without a zone, as Prisma does. */
export function toPgValue(arg: unknown, type: ArgType | undefined): unknown {
  if (arg === null || arg === undefined) return null;
  if (Array.isArray(arg) && type?.arity === "list") return arg.map((item) => toPgValue(item, type));
  let value = arg;
  if (typeof value === "string" && type?.scalarType === "datetime") value = new Date(value);
  if (value instanceof Date) {
    switch (type?.dbType) {
      case "TIME":
      case "TIMETZ":
        return formatTime(value);
      case "DATE":
        return formatDate(value);
      default:
        return `${formatDate(value)} ${formatTime(value)}`;
    }
  }
  if (typeof value === "string" && type?.scalarType === "bytes") return Buffer.from(value, "base64");
  if (ArrayBuffer.isView(value)) return Buffer.from(value.buffer, value.byteOffset, value.byteLength);
  return value;
}
