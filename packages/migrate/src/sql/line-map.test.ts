import { describe, expect, it } from "vitest";
import { LineMap } from "./line-map.ts";

describe("LineMap", () => {
  const text = "first\r\nsecond é😀 x\n\nlast";
  const lines = new LineMap(text);

  it("finds the 1-based line of an offset", () => {
    expect([0, 6, 7, text.indexOf("x"), text.indexOf("last")].map((offset) => lines.lineOf(offset))).toEqual([1, 1, 2, 2, 4]);
  });

  it("counts columns in characters, an emoji being one", () => {
    expect(lines.columnOf(text.indexOf("x"))).toBe(11);
  });

  it("returns a line's text without its line break", () => {
    expect([1, 2, 3, 4, 5].map((line) => lines.lineText(line))).toEqual(["first", "second é😀 x", "", "last", ""]);
  });
});
