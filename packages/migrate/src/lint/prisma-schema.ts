// The tables and columns a Prisma schema maps to, read from its text: enough to know whether the
// release built from that schema still uses a table or column a migration drops. Models only (views
// and enums are not tables); relation fields are left out, `@map` / `@@map` give database names.

export interface PrismaTable {
  model: string;
  /** Database column name → Prisma field name. */
  columns: Map<string, string>;
}

/** Database table name → its model. */
export type PrismaTables = Map<string, PrismaTable>;

interface Block {
  keyword: string;
  name: string;
  lines: string[];
}

/** Reads the models of a schema.prisma. Unknown constructs are skipped, never fatal. */
export function readPrismaTables(schema: string): PrismaTables {
  const blocks = blocksOf(schema);
  const models = new Set(blocks.filter((b) => b.keyword === "model" || b.keyword === "type").map((b) => b.name));
  const tables: PrismaTables = new Map();
  for (const block of blocks) {
    if (block.keyword !== "model") continue;
    let table = block.name;
    const columns = new Map<string, string>();
    for (const line of block.lines) {
      if (line.startsWith("@@")) {
        const mapped = /^@@map\(\s*(?:name:\s*)?"((?:[^"\\]|\\.)*)"/.exec(line);
        if (mapped) table = mapped[1] as string;
        continue;
      }
      const field = /^([A-Za-z_]\w*)\s+([A-Za-z_]\w*)/.exec(line);
      if (!field) continue;
      const [, name, type] = field as unknown as [string, string, string];
      if (models.has(type)) continue; // a relation field: no column of its own
      const mapped = /@map\(\s*(?:name:\s*)?"((?:[^"\\]|\\.)*)"/.exec(line);
      columns.set(mapped ? (mapped[1] as string) : name, name);
    }
    tables.set(table, { model: block.name, columns });
  }
  return tables;
}

/** Top-level `keyword Name { … }` blocks, their lines trimmed, with `//` comments removed. */
function blocksOf(schema: string): Block[] {
  const blocks: Block[] = [];
  let current: Block | undefined;
  for (const raw of schema.split(/\r?\n/)) {
    const line = withoutComment(raw).trim();
    if (!line) continue;
    if (!current) {
      const opening = /^(\w+)\s+(\w+)\s*\{$/.exec(line);
      if (opening) current = { keyword: opening[1] as string, name: opening[2] as string, lines: [] };
      continue;
    }
    if (line === "}") {
      blocks.push(current);
      current = undefined;
    } else {
      current.lines.push(line);
    }
  }
  return blocks;
}

/** The line up to a `//` comment that is not inside a string (`@default("https://…")`). */
function withoutComment(line: string): string {
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const char = line[i];
    if (quoted && char === "\\") i++;
    else if (char === '"') quoted = !quoted;
    else if (!quoted && char === "/" && line[i + 1] === "/") return line.slice(0, i);
  }
  return line;
}
