// The benchmarks' data: 50 users, the "general" category and `postCount` posts (a third with a media
// URL), written with plain SQL into a migrated database, then ANALYZEd.
import pg from "pg";

export async function seedPosts(url: string, postCount: number): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    // Prisma fills uuid and updated_at itself; plain SQL must too.
    await client.query(`INSERT INTO "user" (uuid, name, username, email, hashed_password, updated_at)
                        SELECT gen_random_uuid(), 'Bench ' || i, 'bench' || i, 'bench' || i || '@example.com', '!', now() FROM generate_series(1, 50) AS i`);
    const { rows } = await client.query<{ id: number }>("SELECT id FROM category WHERE slug = 'general'");
    const category = rows[0]?.id ?? (await client.query<{ id: number }>("INSERT INTO category (name, slug) VALUES ('General', 'general') RETURNING id")).rows[0]?.id;
    await client.query(
      `INSERT INTO post (uuid, created_by_user_id, category_id, title, text, media_url, updated_at)
       SELECT gen_random_uuid(), (SELECT min(id) FROM "user") + (i % 50), $1, 'Post ' || i, repeat('Lorem ipsum dolor sit amet. ', 10) || i,
              CASE WHEN i % 3 = 0 THEN 'https://example.com/' || i || '.jpg' END, now()
         FROM generate_series(1, $2::int) AS i`,
      [category, postCount],
    );
    await client.query("ANALYZE");
  } finally {
    await client.end();
  }
}
