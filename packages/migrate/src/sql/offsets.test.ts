import { describe, expect, it } from "vitest";
import { codePointCount, codePointOffset, utf8OffsetMap } from "./offsets.ts";

describe("utf8OffsetMap", () => {
  it("is the identity for ASCII", () => {
    const map = utf8OffsetMap("SELECT 1");
    expect([0, 3, 8].map(map)).toEqual([0, 3, 8]);
  });

  it("maps byte offsets after 2-, 3- and 4-byte characters to string indices", () => {
    const text = "é☕😀x";
    const map = utf8OffsetMap(text);
    // é = 2 bytes, ☕ = 3 bytes, 😀 = 4 bytes (2 UTF-16 units), x = 1 byte.
    expect([0, 2, 5, 9, 10].map(map)).toEqual([0, 1, 2, 4, 5]);
    expect(map(10)).toBe(text.length);
  });

  it("agrees with Buffer for every character boundary", () => {
    const text = "a ñ 中文 🎉 z";
    const map = utf8OffsetMap(text);
    for (let index = 0; index <= text.length; index++) {
      if (index > 0 && index < text.length && /[\uDC00-\uDFFF]/.test(text[index] as string)) continue;
      expect(map(Buffer.byteLength(text.slice(0, index)))).toBe(index);
    }
  });
});

describe("code points", () => {
  it("converts a code point count to a string index and back", () => {
    const text = "😀é😀x";
    expect(codePointOffset(text, 3)).toBe(5);
    expect(codePointOffset(text, 99)).toBe(text.length);
    expect(codePointCount(text, 0, 5)).toBe(3);
  });
});
