// Categories: what posts are filed under. A category with posts cannot be deleted (its foreign key is
// ON DELETE RESTRICT): that is a 409 naming the reason. No soft delete. Anyone may read them; only
// superusers change them (they are shared by every user's posts).
import { z } from "@hono/zod-openapi";
import { ConflictError } from "../errors/api-error.ts";
import { text, timestamp } from "../schemas/fields.ts";
import { defineResource } from "./resource.ts";
import { Prisma } from "@repo/db/client";

const name = text(1, 50).openapi({ example: "General" });
const slug = text(1, 50)
  .regex(/^[a-z0-9]+(?:-[a-z0-9]+)*$/, "lowercase words joined by hyphens")
  .openapi({ example: "general" });
const description = text(0, 255).nullable().openapi({ example: "Default category" });

export const Category = z
  .object({ id: z.number().int(), name: z.string(), slug: z.string(), description: z.string().nullable(), createdAt: timestamp() })
  .openapi("Category");

export const CategoryCreate = z.strictObject({ name, slug, description: description.optional() }).openapi("CategoryCreate");
export const CategoryUpdate = z
  .strictObject({ name: name.optional(), slug: slug.optional(), description: description.optional() })
  .openapi("CategoryUpdate");

const categoryColumns = { id: true, name: true, slug: true, description: true, createdAt: true } as const;

export const categories = defineResource({
  name: "category",
  path: "/categories",
  tag: "Categories",
  schemas: { item: Category, create: CategoryCreate, update: CategoryUpdate },
  deletion: "hard",
  access: { list: "public", get: "public", create: "superuser", update: "superuser", remove: "superuser" },
  store: ({ db }) => ({
    list: ({ limit, cursor }) =>
      db.category.findMany({ select: categoryColumns, where: cursor !== undefined ? { id: { gt: cursor } } : {}, orderBy: { id: "asc" }, take: limit + 1 }),
    get: (id) => db.category.findUnique({ select: categoryColumns, where: { id } }),
    create: (data) => db.category.create({ select: categoryColumns, data }),
    update: (id, data) => db.category.update({ select: categoryColumns, where: { id }, data }),
    remove: async (id) => {
      try {
        await db.category.delete({ select: { id: true }, where: { id } });
      } catch (error) {
        if (error instanceof Prisma.PrismaClientKnownRequestError && error.code === "P2003") {
          throw new ConflictError(`Category ${id} still has posts (deleted ones too); move them to another category first.`);
        }
        throw error;
      }
    },
  }),
});
