import { describe, expect, it } from "vitest";
import { parseDuration, parseSize } from "./units.ts";

describe("parseDuration", () => {
  it("reads seconds, bare or with s, m, h or d, in any case", () => {
    expect([parseDuration("900"), parseDuration("900s"), parseDuration("15m"), parseDuration("12H"), parseDuration("7d")]).toEqual([900, 900, 900, 43_200, 604_800]);
  });
  it("refuses fractions, signs, other units and blanks", () => {
    for (const text of ["", "1.5m", "-5", "5w", "m", "15 minutes", "1e3"]) expect(parseDuration(text), text).toBeUndefined();
  });
});

describe("parseSize", () => {
  it("reads bytes, kb and mb as binary multiples", () => {
    expect([parseSize("1048576"), parseSize("512kb"), parseSize("1mb"), parseSize("1MiB"), parseSize("10 b")]).toEqual([1_048_576, 524_288, 1_048_576, 1_048_576, 10]);
  });
  it("refuses anything else", () => {
    for (const text of ["", "1gb", "1.5mb", "-1", "mb"]) expect(parseSize(text), text).toBeUndefined();
  });
});
