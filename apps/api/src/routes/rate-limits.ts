// Rate limits: per tier, how many requests a path allows per period (seconds); how a path matches is in
// rate-limit/rules.ts. No soft delete. Superusers only.
import { z } from "@hono/zod-openapi";
import { idField, INT4_MAX, text, timestamp } from "../schemas/fields.ts";
import { defineResource } from "./resource.ts";

const tierId = idField().openapi({ description: "The tier this limit belongs to." });
const name = text(1, 100).openapi({ example: "posts-per-minute" });
const path = text(1, 255)
  .regex(/^\/[A-Za-z0-9/_.{}:-]*$/, "a URL path starting with /")
  .openapi({ example: "/posts" });
const limit = z.number().int().min(1).max(INT4_MAX).openapi({ description: "Requests allowed per period.", example: 10 });
const period = z.number().int().min(1).max(INT4_MAX).openapi({ description: "Seconds.", example: 60 });

export const RateLimit = z
  .object({
    id: z.number().int(),
    tierId: z.number().int(),
    name: z.string(),
    path: z.string(),
    limit: z.number().int(),
    period: z.number().int(),
    createdAt: timestamp(),
    updatedAt: timestamp().nullable(),
  })
  .openapi("RateLimit");

export const RateLimitCreate = z.strictObject({ tierId, name, path, limit, period }).openapi("RateLimitCreate");
export const RateLimitUpdate = z
  .strictObject({ tierId: tierId.optional(), name: name.optional(), path: path.optional(), limit: limit.optional(), period: period.optional() })
  .openapi("RateLimitUpdate");

const rateLimitColumns = { id: true, tierId: true, name: true, path: true, limit: true, period: true, createdAt: true, updatedAt: true } as const;

export const rateLimits = defineResource({
  name: "rate limit",
  path: "/rate-limits",
  tag: "RateLimits",
  schemas: { item: RateLimit, create: RateLimitCreate, update: RateLimitUpdate },
  filters: { tierId: z.coerce.number().int().min(1).max(INT4_MAX).optional().openapi({ param: { name: "tierId", in: "query" }, description: "Only this tier's limits." }) },
  deletion: "hard",
  access: { list: "superuser", get: "superuser", create: "superuser", update: "superuser", remove: "superuser" },
  store: ({ db }) => ({
    list: ({ limit, cursor }, { tierId }) =>
      db.rateLimit.findMany({
        select: rateLimitColumns,
        where: { ...(cursor !== undefined ? { id: { gt: cursor } } : {}), ...(tierId !== undefined ? { tierId } : {}) },
        orderBy: { id: "asc" },
        take: limit + 1,
      }),
    get: (id) => db.rateLimit.findUnique({ select: rateLimitColumns, where: { id } }),
    create: (data) => db.rateLimit.create({ select: rateLimitColumns, data }),
    update: (id, data) => db.rateLimit.update({ select: rateLimitColumns, where: { id }, data }),
    remove: async (id) => {
      await db.rateLimit.delete({ select: { id: true }, where: { id } });
    },
  }),
});
