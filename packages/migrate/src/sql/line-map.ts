// Turns string offsets into the 1-based line and column a person finds in an editor, for
// statement line numbers and syntax error positions.
import { codePointCount } from "./offsets.ts";

/** Line lookup over one text: built once, then each lookup is a binary search. */
export class LineMap {
  /** UTF-16 index where each line starts; `starts[0]` is line 1. */
  private readonly starts: number[] = [0];

  constructor(private readonly text: string) {
    for (let index = text.indexOf("\n"); index !== -1; index = text.indexOf("\n", index + 1)) {
      this.starts.push(index + 1);
    }
  }

  /** 1-based line holding the UTF-16 index `offset`. */
  lineOf(offset: number): number {
    let low = 0;
    let high = this.starts.length - 1;
    while (low < high) {
      const middle = (low + high + 1) >> 1;
      if ((this.starts[middle] as number) <= offset) low = middle;
      else high = middle - 1;
    }
    return low + 1;
  }

  /** 1-based column of `offset` on its line, counted in characters (code points), as PostgreSQL does. */
  columnOf(offset: number): number {
    const start = this.starts[this.lineOf(offset) - 1] as number;
    return codePointCount(this.text, start, offset) + 1;
  }

  /** The text of a 1-based line, without its `\n` or `\r\n`. */
  lineText(line: number): string {
    const start = this.starts[line - 1];
    if (start === undefined) return "";
    const next = this.starts[line];
    const end = next === undefined ? this.text.length : next - 1;
    const text = this.text.slice(start, end);
    return text.endsWith("\r") ? text.slice(0, -1) : text;
  }
}
