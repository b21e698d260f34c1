import { describe, expect, it } from "vitest";
import type { ColumnType } from "../ast.ts";
import { rewritesTable } from "./type-rewrite.ts";

const t = (name: string, ...mods: number[]): ColumnType => ({ name, mods, array: false });

describe("rewritesTable", () => {
  it.each([
    ["varchar(30) → varchar(50)", t("varchar", 30), t("varchar", 50)],
    ["varchar(30) → varchar(30)", t("varchar", 30), t("varchar", 30)],
    ["varchar(30) → varchar", t("varchar", 30), t("varchar")],
    ["varchar(30) → text", t("varchar", 30), t("text")],
    ["text → varchar (no limit)", t("text"), t("varchar")],
    ["numeric(10,2) → numeric(12,2)", t("numeric", 10, 2), t("numeric", 12, 2)],
    ["numeric(10,2) → numeric", t("numeric", 10, 2), t("numeric")],
    ["timestamptz(3) → timestamptz(6)", t("timestamptz", 3), t("timestamptz", 6)],
    ["timestamptz(3) → timestamptz", t("timestamptz", 3), t("timestamptz")],
    ["cidr → inet", t("cidr"), t("inet")],
  ])("changes only the catalog: %s", (_, from, to) => {
    expect(rewritesTable(from, to)).toBe(false);
  });

  it.each([
    ["int4 → int8", t("int4"), t("int8")],
    ["int2 → int4", t("int2"), t("int4")],
    ["varchar(50) → varchar(30)", t("varchar", 50), t("varchar", 30)],
    ["varchar → varchar(30)", t("varchar"), t("varchar", 30)],
    ["text → varchar(200)", t("text"), t("varchar", 200)],
    ["numeric(10,2) → numeric(10,3)", t("numeric", 10, 2), t("numeric", 10, 3)],
    ["numeric(12,2) → numeric(10,2)", t("numeric", 12, 2), t("numeric", 10, 2)],
    ["numeric → numeric(10,2)", t("numeric"), t("numeric", 10, 2)],
    ["timestamp → timestamptz", t("timestamp"), t("timestamptz")],
    ["timestamptz → timestamptz(3)", t("timestamptz"), t("timestamptz", 3)],
    ["bpchar(2) → bpchar(3)", t("bpchar", 2), t("bpchar", 3)],
    ["text → int4", t("text"), t("int4")],
    ["text → text[]", t("text"), { name: "text", mods: [], array: true }],
  ])("rewrites the table: %s", (_, from, to) => {
    expect(rewritesTable(from, to)).toBe(true);
  });

  it("rewrites when a USING expression computes the new values, even for a free change", () => {
    expect(rewritesTable(t("varchar", 30), t("text"), true)).toBe(true);
  });
});
