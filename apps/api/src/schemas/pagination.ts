// Keyset pagination on the primary key: `?limit=20` for the first page, then `?cursor=<nextCursor>`.
// Unlike OFFSET it costs the same on page 1000 as on page 1, and rows inserted or deleted meanwhile
// neither repeat nor vanish between pages. No total count: it would cost a scan on every page.
import { z } from "@hono/zod-openapi";
import { INT4_MAX } from "./fields.ts";

export const DEFAULT_PAGE_SIZE = 20;
export const MAX_PAGE_SIZE = 100;

export const PageQuery = z.object({
  limit: z.coerce
    .number()
    .int()
    .min(1)
    .max(MAX_PAGE_SIZE)
    .default(DEFAULT_PAGE_SIZE)
    .openapi({ param: { name: "limit", in: "query" }, description: `Rows per page, 1–${MAX_PAGE_SIZE}.`, example: DEFAULT_PAGE_SIZE }),
  cursor: z.coerce
    .number()
    .int()
    .min(0)
    .max(INT4_MAX)
    .optional()
    .openapi({ param: { name: "cursor", in: "query" }, description: "The previous page's `nextCursor`: rows with a greater id." }),
});

export interface PageRequest {
  limit: number;
  cursor?: number | undefined;
}

/** A page schema for `item`: `{ data, nextCursor }`. */
export const pageOf = <T extends z.ZodType>(item: T, name: string) =>
  z
    .object({
      data: z.array(item),
      nextCursor: z.number().int().nullable().openapi({ description: "Pass as `cursor` for the next page; null on the last page." }),
    })
    .openapi(name);

/**
 * The page from rows fetched with `take: limit + 1` in id order: the extra row only says that another
 * page exists.
 */
export function toPage<T extends { id: number }>(rows: T[], limit: number): { data: T[]; nextCursor: number | null } {
  if (rows.length <= limit) return { data: rows, nextCursor: null };
  const data = rows.slice(0, limit);
  return { data, nextCursor: data[data.length - 1]?.id ?? null };
}
