// Posts: written by a user, in a category. Soft delete. Anyone may read them; a signed-in user writes
// posts as themself (createdByUserId defaults to the caller) and changes or deletes only their own;
// superusers may do all of it for anyone.
import { z } from "@hono/zod-openapi";
import { ForbiddenError } from "../auth/errors.ts";
import { UnknownReferenceError } from "../errors/api-error.ts";
import { httpUrl, idField, INT4_MAX, text, timestamp } from "../schemas/fields.ts";
import { listPosts, postColumns } from "./post-list.ts";
import { defineResource } from "./resource.ts";

const title = text(2, 30).openapi({ example: "Hello" });
const body = text(1, 63_206).openapi({ example: "My first post." });
const mediaUrl = httpUrl().nullable().openapi({ example: "https://example.com/cat.jpg" });

export const Post = z
  .object({
    id: z.number().int(),
    uuid: z.uuid(),
    createdByUserId: z.number().int(),
    categoryId: z.number().int(),
    title: z.string(),
    text: z.string(),
    mediaUrl: z.string().nullable(),
    createdAt: timestamp(),
    updatedAt: timestamp().nullable(),
  })
  .openapi("Post");

const categoryId = idField().openapi({ description: "The post's category." });

export const PostCreate = z
  .strictObject({
    createdByUserId: idField()
      .optional()
      .openapi({ description: "The author, a user that is not deleted: by default the caller; only superusers may name another user." }),
    categoryId,
    title,
    text: body,
    mediaUrl: mediaUrl.optional(),
  })
  .openapi("PostCreate");
export const PostUpdate = z
  .strictObject({ categoryId: categoryId.optional(), title: title.optional(), text: body.optional(), mediaUrl: mediaUrl.optional() })
  .openapi("PostUpdate");

export const posts = defineResource({
  name: "post",
  path: "/posts",
  tag: "Posts",
  schemas: { item: Post, create: PostCreate, update: PostUpdate },
  filters: {
    createdByUserId: z.coerce.number().int().min(1).max(INT4_MAX).optional().openapi({ param: { name: "createdByUserId", in: "query" }, description: "Only this user's posts." }),
    categoryId: z.coerce.number().int().min(1).max(INT4_MAX).optional().openapi({ param: { name: "categoryId", in: "query" }, description: "Only this category's posts." }),
  },
  deletion: "soft",
  access: {
    list: "public",
    get: "public",
    create: "user",
    update: "owner",
    remove: "owner",
    // A missing post counts as owned, so the route answers 404 rather than 403.
    owns: async ({ db }, caller, id) => {
      const post = await db.post.findFirst({ select: { createdByUserId: true }, where: { id, isDeleted: false } });
      return !post || post.createdByUserId === caller.id;
    },
    checkCreate: (caller, input) => {
      if (input.createdByUserId !== undefined && input.createdByUserId !== caller?.id) {
        throw new ForbiddenError("You may only write posts as yourself: leave createdByUserId out.");
      }
    },
  },
  store: ({ db }) => ({
    // One $queryRaw rather than findMany: the hot path (see post-list.ts).
    list: (page, filters) => listPosts(db, page, filters),
    get: (id) => db.post.findFirst({ select: postColumns, where: { id, isDeleted: false } }),
    create: async (data, caller) => {
      const createdByUserId = data.createdByUserId ?? caller?.id;
      // The foreign key accepts a soft-deleted author; the API does not.
      const author = createdByUserId === undefined ? null : await db.user.findFirst({ select: { id: true }, where: { id: createdByUserId, isDeleted: false } });
      if (!author) throw new UnknownReferenceError("createdByUserId", "a user that is not deleted");
      return db.post.create({ select: postColumns, data: { ...data, createdByUserId: author.id } });
    },
    update: (id, data) => db.post.update({ select: postColumns, where: { id, isDeleted: false }, data }),
    remove: async (id) => {
      await db.post.update({ select: { id: true }, where: { id, isDeleted: false }, data: { isDeleted: true, deletedAt: new Date() } });
    },
  }),
});
