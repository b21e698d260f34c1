import { describe, expect, it } from "vitest";
import { parseDuration } from "./duration.ts";

describe("parseDuration", () => {
  it.each([
    ["5000", 5000],
    ["500ms", 500],
    ["10s", 10_000],
    ["1.5s", 1500],
    ["2min", 120_000],
    ["1h", 3_600_000],
    ["1d", 86_400_000],
    ["1500us", 2],
    ["0", 0],
  ])("reads %s as %i ms", (text, ms) => {
    expect(parseDuration(text)).toEqual({ text, ms });
  });

  it.each(["", "10 s", "10sec", "10S", "-1s", "1e3", "s", "1.s", "25d"])("refuses %j", (text) => {
    expect(parseDuration(text)).toBeUndefined();
  });
});
