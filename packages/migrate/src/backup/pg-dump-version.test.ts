import { describe, expect, it } from "vitest";
import { assertCanDump, parsePgDumpVersion, probePgDump } from "./pg-dump-version.ts";

describe("parsePgDumpVersion", () => {
  it("reads the versions pg_dump prints", () => {
    expect(parsePgDumpVersion("pg_dump (PostgreSQL) 15.20 (Debian 15.20-0+deb12u1)\n")).toEqual({ text: "15.20", num: 150020 });
    expect(parsePgDumpVersion("pg_dump (PostgreSQL) 18beta1\n")).toEqual({ text: "18", num: 180000 });
    expect(parsePgDumpVersion("pg_dump (PostgreSQL) 9.6.24\n")).toEqual({ text: "9.6.24", num: 90624 });
    expect(parsePgDumpVersion("something else 1.2")).toBeUndefined();
  });
});

describe("assertCanDump", () => {
  const client = { text: "15.20", num: 150020 };

  it("accepts a server of the same or an older major version", () => {
    expect(() => assertCanDump("/usr/bin/pg_dump", client, { num: 150001, text: "15.1" })).not.toThrow();
    expect(() => assertCanDump("/usr/bin/pg_dump", client, { num: 130010, text: "13.10" })).not.toThrow();
    expect(() => assertCanDump("/usr/bin/pg_dump", { text: "16.0", num: 160000 }, { num: 150020, text: "15.20" })).not.toThrow();
  });

  it("refuses a newer server, naming both versions and the client to install", () => {
    expect(() => assertCanDump("/usr/bin/pg_dump", client, { num: 180004, text: "18.4" })).toThrow(
      expect.objectContaining({ code: "PG_DUMP_TOO_OLD", message: expect.stringMatching(/pg_dump 15\.20 \(\/usr\/bin\/pg_dump\) cannot dump this PostgreSQL 18\.4 server/), hint: expect.stringMatching(/postgresql-client-18.*--pg-dump <path> \(or PG_DUMP\)/) }),
    );
  });
});

describe("probePgDump", () => {
  it("names a missing program and the fix", async () => {
    await expect(probePgDump("/nonexistent/pg_dump", true)).rejects.toMatchObject({ code: "PG_DUMP_NOT_FOUND", message: expect.stringContaining("pg_dump was not found at /nonexistent/pg_dump"), hint: expect.stringContaining("postgresql-client-") });
  });

  it("refuses a program that is not pg_dump", async () => {
    await expect(probePgDump(process.execPath, true)).rejects.toMatchObject({ code: "PG_DUMP_UNUSABLE" });
  });
});
