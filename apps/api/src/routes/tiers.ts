// Tiers: the plans users belong to. Deleting one removes its rate limits and leaves its users without
// a tier (the foreign keys' ON DELETE rules); tiers have no soft delete. Superusers only.
import { z } from "@hono/zod-openapi";
import { text, timestamp } from "../schemas/fields.ts";
import { defineResource } from "./resource.ts";

const name = text(1, 100).openapi({ example: "pro" });

export const Tier = z
  .object({ id: z.number().int(), name: z.string(), createdAt: timestamp(), updatedAt: timestamp().nullable() })
  .openapi("Tier");

export const TierCreate = z.strictObject({ name }).openapi("TierCreate");
export const TierUpdate = z.strictObject({ name: name.optional() }).openapi("TierUpdate");

const tierColumns = { id: true, name: true, createdAt: true, updatedAt: true } as const;

export const tiers = defineResource({
  name: "tier",
  path: "/tiers",
  tag: "Tiers",
  schemas: { item: Tier, create: TierCreate, update: TierUpdate },
  deletion: "hard",
  access: { list: "superuser", get: "superuser", create: "superuser", update: "superuser", remove: "superuser" },
  store: ({ db }) => ({
    list: ({ limit, cursor }) =>
      db.tier.findMany({ select: tierColumns, where: cursor !== undefined ? { id: { gt: cursor } } : {}, orderBy: { id: "asc" }, take: limit + 1 }),
    get: (id) => db.tier.findUnique({ select: tierColumns, where: { id } }),
    create: (data) => db.tier.create({ select: tierColumns, data }),
    update: (id, data) => db.tier.update({ select: tierColumns, where: { id }, data }),
    remove: async (id) => {
      await db.tier.delete({ select: { id: true }, where: { id } });
    },
  }),
});
