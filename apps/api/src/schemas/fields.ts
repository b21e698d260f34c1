// Field schemas every resource shares. Each bounds what PostgreSQL would otherwise reject with an
// error (a 500): integers beyond int4, NUL characters in text, strings past a column's length.
import { z } from "@hono/zod-openapi";

/** PostgreSQL's `integer` (Prisma's Int). */
export const INT4_MAX = 2_147_483_647;

const NUL = "\u0000";

/** Text PostgreSQL can store: at most `max` UTF-16 units (never more characters than the column holds), no NUL. */
export const text = (min: number, max: number) =>
  z
    .string()
    .min(min)
    .max(max)
    .refine((value) => !value.includes(NUL), { message: "must not contain NUL characters" });

/** A row id in a body: a positive int4. */
export const idField = () => z.number().int().min(1).max(INT4_MAX);

/** An http(s) URL, as the boilerplate accepts for images and media. */
export const httpUrl = (max = 2048) =>
  text(1, max).refine((value) => /^https?:\/\/[^\s/$.?#][^\s]*$/i.test(value) && URL.canParse(value), { message: "must be an http(s) URL" });

/** Timestamps go out as ISO 8601 strings (JSON.stringify of a Date). */
export const timestamp = () => z.iso.datetime().openapi({ example: "2026-01-01T12:00:00.000Z" });

/** `/{id}` in a path. */
export const IdParams = z.object({
  id: z.coerce
    .number()
    .int()
    .min(1)
    .max(INT4_MAX)
    .openapi({ param: { name: "id", in: "path" }, example: 1 }),
});
