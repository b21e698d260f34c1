// GET /posts reads its page with one $queryRaw (src/routes/post-list.ts) instead of findMany. These
// tests hold the two together on a real database: same rows, same values and types, same key order,
// for every filter, cursor and page size, deleted posts left out, and the same pages through the route.
import type { PrismaClient } from "@repo/db/client";
import { afterAll, beforeAll, describe, expect, expectTypeOf, it } from "vitest";
import { listPosts, postColumns, postListQuery, type PostFilters, type PostRow } from "../src/routes/post-list.ts";
import type { PageRequest } from "../src/schemas/pagination.ts";
import { testApi, type TestApi } from "./helpers.ts";

/** The list query as it was written with findMany: the reference the SQL must match. */
const findManyPage = (db: PrismaClient, { limit, cursor }: PageRequest, { createdByUserId, categoryId }: PostFilters) =>
  db.post.findMany({
    select: postColumns,
    where: {
      isDeleted: false,
      ...(cursor !== undefined ? { id: { gt: cursor } } : {}),
      ...(createdByUserId !== undefined ? { createdByUserId } : {}),
      ...(categoryId !== undefined ? { categoryId } : {}),
    },
    orderBy: { id: "asc" },
    take: limit + 1,
  });

let api: TestApi;
let users: number[];
let categories: number[];
let ids: number[];
let deleted: Set<number>;

beforeAll(async () => {
  api = await testApi();
  users = (
    await api.sql<{ id: number }>(
      `INSERT INTO "user" (uuid, name, username, email, hashed_password, updated_at)
       SELECT gen_random_uuid(), 'Author ' || i, 'author' || i, 'author' || i || '@example.com', '!', now() FROM generate_series(1, 3) AS i RETURNING id`,
    )
  ).map((row) => row.id);
  categories = (
    await api.sql<{ id: number }>(`INSERT INTO category (name, slug) SELECT 'Topic ' || i, 'topic-' || i FROM generate_series(1, 3) AS i RETURNING id`)
  ).map((row) => row.id);
  // 60 posts across authors and categories: every third without a media URL, every fourth never
  // updated (NULL updated_at), microsecond timestamps, quotes and non-ASCII text; every fifth deleted.
  const rows = await api.sql<{ id: number; is_deleted: boolean }>(
    `INSERT INTO post (uuid, created_by_user_id, category_id, title, text, media_url, created_at, updated_at, is_deleted, deleted_at)
     SELECT gen_random_uuid(), ($1::int[])[1 + i % 3], ($2::int[])[1 + (i / 3) % 3], 'Post ' || i, 'It''s "post" ' || i || E' — ünïcode\\n',
            CASE WHEN i % 3 = 0 THEN NULL ELSE 'https://example.com/' || i || '.jpg' END,
            timestamptz '2026-01-01 00:00:00.123456+00' + i * interval '1 minute 1.000001 second',
            CASE WHEN i % 4 = 0 THEN NULL ELSE now() END,
            i % 5 = 0, CASE WHEN i % 5 = 0 THEN now() END
       FROM generate_series(1, 60) AS i
     RETURNING id, is_deleted`,
    [users, categories],
  );
  ids = rows.map((row) => row.id).sort((a, b) => a - b);
  deleted = new Set(rows.filter((row) => row.is_deleted).map((row) => row.id));
});
afterAll(() => api.dispose());

const filterCases: PostFilters[] = [
  {},
  { createdByUserId: 0 },
  { categoryId: 1 },
  { createdByUserId: 0, categoryId: 2 },
  { createdByUserId: 999_999 },
];
/** Filters with indexes into users/categories made real ids (999_999 stays a missing user). */
const resolve = (filters: PostFilters): PostFilters => ({
  ...(filters.createdByUserId !== undefined ? { createdByUserId: users[filters.createdByUserId] ?? filters.createdByUserId } : {}),
  ...(filters.categoryId !== undefined ? { categoryId: categories[filters.categoryId] ?? filters.categoryId } : {}),
});

describe("GET /posts's list query", () => {
  it("has findMany's row type", () => {
    expectTypeOf<PostRow>().toEqualTypeOf<Awaited<ReturnType<typeof findManyPage>>[number]>();
  });

  it("returns exactly what findMany returns, for each filter, page size and cursor", async () => {
    const cursors = [undefined, 0, ids[0]!, ids[7]!, [...deleted][2]!, ids[ids.length - 2]!, ids[ids.length - 1]!, 2_147_483_647];
    let compared = 0;
    for (const filters of filterCases.map(resolve)) {
      for (const limit of [1, 7, 20, 100]) {
        for (const cursor of cursors) {
          const page = { limit, cursor };
          const [sql, reference] = await Promise.all([listPosts(api.db, page, filters), findManyPage(api.db, page, filters)]);
          // toStrictEqual: same values and types (Date, null); the JSON: same key order, same text.
          expect(sql, JSON.stringify({ page, filters })).toStrictEqual(reference);
          expect(JSON.stringify(sql)).toBe(JSON.stringify(reference));
          compared += reference.length;
        }
      }
    }
    expect(compared).toBeGreaterThan(500);
  });

  it("binds every value as a parameter: none is spliced into the query text", () => {
    const query = postListQuery({ limit: 20, cursor: 987_654 }, { createdByUserId: 123_456, categoryId: 345_678 });
    expect(query.values).toEqual([987_654, 123_456, 345_678, 21]);
    expect(query.text).toMatch(/"id" > \$1 AND .*"created_by_user_id" = \$2 AND .*"category_id" = \$3 ORDER BY .* LIMIT \$4$/);
    for (const value of ["987654", "123456", "345678", "21"]) expect(query.text).not.toContain(value);
  });

  it("never returns a deleted post", async () => {
    const all = await listPosts(api.db, { limit: 100 }, {});
    expect(all.map((post) => post.id)).toEqual(ids.filter((id) => !deleted.has(id)));
    expect(deleted.size).toBe(12);
  });

  it("serves the same pages through the route, following nextCursor to the end", async () => {
    for (const filters of filterCases.map(resolve)) {
      const query = Object.entries(filters).map(([name, value]) => `&${name}=${String(value)}`).join("");
      let cursor: number | undefined;
      let pages = 0;
      do {
        const response = await api.call<{ data: unknown[]; nextCursor: number | null }>("GET", `/posts?limit=7${query}${cursor === undefined ? "" : `&cursor=${cursor}`}`);
        expect(response.status).toBe(200);
        const rows = await findManyPage(api.db, { limit: 7, cursor }, filters);
        const data = rows.slice(0, 7);
        const nextCursor = rows.length > 7 ? (data[data.length - 1]?.id ?? null) : null;
        expect(response.body).toEqual(JSON.parse(JSON.stringify({ data, nextCursor })));
        cursor = nextCursor ?? undefined;
        pages++;
      } while (cursor !== undefined);
      expect(pages).toBeGreaterThan(0);
    }
  });
});

describe("the Prisma client's error format", () => {
  // Prisma's default formats capture a stack trace on every query (to point at the calling line if it
  // fails): ~40 µs of CPU a query, a tenth of the list's cost in Prisma (a paired A/B, bench notes in the
  // README). Deployed, the app asks for "minimal". Read from the client's own (internal) setting: the
  // effect is speed, which tests do not time, and the exact Prisma pin keeps the field where it is.
  const errorFormatOf = (db: PrismaClient) => (db as unknown as { _errorFormat?: string })._errorFormat;

  it("is minimal in production and staging, Prisma's default elsewhere", async () => {
    expect(errorFormatOf(api.db)).not.toBe("minimal");
    for (const environment of ["production", "staging"] as const) {
      const deployed = await testApi({ environment });
      try {
        expect(errorFormatOf(deployed.db), environment).toBe("minimal");
      } finally {
        await deployed.dispose();
      }
    }
  });
});
