// The benchmark's floor: GET /posts?limit=20 as the app answers it (same validation, same page shape,
// same JSON), with the query sent through a plain `pg` pool instead of Prisma. Mounted on the same app,
// behind the same middleware, so the difference between the two is the data access alone.
import type { OpenAPIHono } from "@hono/zod-openapi";
import pg from "pg";
import type { AppEnv } from "../src/app-env.ts";
import { ValidationError } from "../src/errors/api-error.ts";
import { detailsOf } from "../src/errors/respond.ts";
import { PageQuery, toPage, type PageRequest } from "../src/schemas/pagination.ts";

// The columns and order of post-list.ts's postColumns, under the names the API returns; $1 the cursor
// (or null), $2 the page size + 1. Sent as one named (prepared) statement per connection.
const RAW_POSTS_SQL = `SELECT id, uuid, created_by_user_id AS "createdByUserId", category_id AS "categoryId", title, text, media_url AS "mediaUrl",
                    created_at AS "createdAt", updated_at AS "updatedAt"
               FROM post WHERE is_deleted = false AND ($1::int IS NULL OR id > $1) ORDER BY id LIMIT $2`;

export const RAW_POSTS_PATH = "/bench/raw-posts";
const RAW_POSTS_STATEMENT = "bench-raw-posts";

/** The floor's page query on `pool`: up to `limit + 1` rows after `cursor`, as objects. */
export async function queryRawPosts(pool: pg.Pool, { limit, cursor }: PageRequest): Promise<{ id: number }[]> {
  return (await pool.query<{ id: number }>({ name: RAW_POSTS_STATEMENT, text: RAW_POSTS_SQL, values: [cursor ?? null, limit + 1] })).rows;
}

/** Adds the raw-pg route to `app`; returns the pool, to end after the run. */
export function mountRawPosts(app: OpenAPIHono<AppEnv>, url: string, poolSize: number): pg.Pool {
  const pool = new pg.Pool({ connectionString: url, max: poolSize, application_name: "bench (raw pg)" });
  app.get(RAW_POSTS_PATH, async (c) => {
    const parsed = PageQuery.safeParse(c.req.query());
    if (!parsed.success) throw new ValidationError(detailsOf(parsed.error, "query"));
    return c.json(toPage(await queryRawPosts(pool, parsed.data), parsed.data.limit), 200);
  });
  return pool;
}
