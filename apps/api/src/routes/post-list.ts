// How posts are read: the public columns, and GET /posts's page query. The list is the API's hottest
// route; Prisma Client 7.10 spends about 50 µs more CPU mapping a `findMany` page than a `$queryRaw`
// one (`pnpm bench:queries`), so the page is one `$queryRaw` on the same client and pool instead.
// test/post-list.test.ts checks that it returns exactly what `findMany` would, for every filter and cursor.
import { Prisma, type PrismaClient } from "@repo/db/client";
import type { PageRequest } from "../schemas/pagination.ts";

/** The columns of a response, in the order they appear in its JSON. */
export const postColumns = {
  id: true,
  uuid: true,
  createdByUserId: true,
  categoryId: true,
  title: true,
  text: true,
  mediaUrl: true,
  createdAt: true,
  updatedAt: true,
} as const;

/** A post as the API returns it: `findMany({ select: postColumns })`'s row type. */
export type PostRow = Prisma.PostGetPayload<{ select: typeof postColumns }>;

/** Each public field's column in schema.prisma (`@map`); the type makes a field added above need one here. */
const columnOf = {
  id: "id",
  uuid: "uuid",
  createdByUserId: "created_by_user_id",
  categoryId: "category_id",
  title: "title",
  text: "text",
  mediaUrl: "media_url",
  createdAt: "created_at",
  updatedAt: "updated_at",
} as const satisfies Record<keyof typeof postColumns, string>;

// Constant identifiers from this file, never input: safe to splice. Qualified as Prisma qualifies them.
const selectList = Prisma.raw(
  (Object.keys(postColumns) as (keyof typeof postColumns)[]).map((field) => `"public"."post"."${columnOf[field]}" AS "${field}"`).join(", "),
);

export interface PostFilters {
  createdByUserId?: number | undefined;
  categoryId?: number | undefined;
}

/** listPosts' query: its text (`.text`, with $1…) and its values (`.values`). */
export function postListQuery({ limit, cursor }: PageRequest, { createdByUserId, categoryId }: PostFilters): Prisma.Sql {
  const where = [Prisma.sql`"public"."post"."is_deleted" = false`];
  if (cursor !== undefined) where.push(Prisma.sql`"public"."post"."id" > ${cursor}`);
  if (createdByUserId !== undefined) where.push(Prisma.sql`"public"."post"."created_by_user_id" = ${createdByUserId}`);
  if (categoryId !== undefined) where.push(Prisma.sql`"public"."post"."category_id" = ${categoryId}`);
  return Prisma.sql`SELECT ${selectList} FROM "public"."post" WHERE ${Prisma.join(where, " AND ")} ORDER BY "public"."post"."id" ASC LIMIT ${limit + 1}`;
}

/**
 * Up to `limit + 1` posts that are not deleted, with id > `cursor`, in id order: what
 * `db.post.findMany({ select: postColumns, where: { isDeleted: false, id: { gt: cursor }, …filters },
 * orderBy: { id: "asc" }, take: limit + 1 })` returns, values bound as parameters.
 */
export function listPosts(db: PrismaClient, page: PageRequest, filters: PostFilters): Promise<PostRow[]> {
  return db.$queryRaw<PostRow[]>(postListQuery(page, filters));
}
