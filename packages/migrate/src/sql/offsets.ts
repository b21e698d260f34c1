// libpg-query reports positions in UTF-8 bytes (statement locations, scanner tokens) and in code
// points (error cursors), while JavaScript strings index UTF-16 code units. These maps translate,
// so that a file with "é" or an emoji before a statement is still cut at the right place.

/**
 * Returns a function mapping a UTF-8 byte offset into `text` to the UTF-16 index of the same place.
 * An offset inside a multi-byte character maps to that character's start; one past the end maps to
 * `text.length`. Encodes the way the parser's WebAssembly copy of the string does (a lone surrogate
 * takes three bytes).
 */
export function utf8OffsetMap(text: string): (byteOffset: number) => number {
  if (isAscii(text)) return (byteOffset) => Math.min(Math.max(byteOffset, 0), text.length);
  // Every UTF-16 unit takes at most three bytes (a surrogate pair takes four for two units).
  const table = new Uint32Array(text.length * 3 + 1);
  let byte = 0;
  for (let index = 0; index < text.length; ) {
    const codePoint = text.codePointAt(index) as number;
    const width = codePoint < 0x80 ? 1 : codePoint < 0x800 ? 2 : codePoint < 0x10000 ? 3 : 4;
    table.fill(index, byte, byte + width);
    byte += width;
    index += codePoint > 0xffff ? 2 : 1;
  }
  table[byte] = text.length;
  const byteLength = byte;
  return (byteOffset) => table[Math.min(Math.max(byteOffset, 0), byteLength)] ?? text.length;
}

/** The UTF-16 index of the `codePoints`-th code point of `text` (clamped to `text.length`). */
export function codePointOffset(text: string, codePoints: number): number {
  let index = 0;
  for (let seen = 0; seen < codePoints && index < text.length; seen++) {
    index += (text.codePointAt(index) as number) > 0xffff ? 2 : 1;
  }
  return index;
}

/** How many code points `text` has between two UTF-16 indices. */
export function codePointCount(text: string, from: number, to: number): number {
  let count = 0;
  for (let index = from; index < to; count++) index += (text.codePointAt(index) as number) > 0xffff ? 2 : 1;
  return count;
}

function isAscii(text: string): boolean {
  for (let index = 0; index < text.length; index++) if (text.charCodeAt(index) > 0x7f) return false;
  return true;
}
