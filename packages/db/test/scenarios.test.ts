// The seed's scenarios as real migrations: a database left at any release, with posts in it, deploys
// to head; the anchored backfill always runs before the NOT NULL contract, which never fails.
import { createTestDatabase } from "@repo/dev-postgres";
import { deploy, getStatus, up } from "@repo/migrate";
import { describe, expect, inject, it, onTestFinished } from "vitest";
import { dataMigrationsDir, migrationsDir } from "../src/paths.ts";
import { prismaClient, sqlOn } from "./helpers.ts";

const POSTS = 1_500;

async function databaseAt(entries: number): Promise<{ url: string; options: Parameters<typeof deploy>[0] }> {
  const db = await createTestDatabase(inject("serverUrl"), { prefix: "scenario_" });
  onTestFinished(() => db.drop());
  const options = { url: db.url, migrationsDir, dataMigrationsDir, dataClient: prismaClient };
  expect((await up(options, "+1")).ok).toBe(true); // init: users and posts exist from here on
  await sqlOn(db.url, `INSERT INTO "user" (name, username, email, hashed_password, uuid) VALUES ('Ada', 'ada', 'ada@example.com', 'x', gen_random_uuid())`);
  await sqlOn(db.url, `INSERT INTO post (created_by_user_id, title, text, uuid) SELECT 1, 'p' || n, 'text', gen_random_uuid() FROM generate_series(1, ${POSTS}) AS n`);
  if (entries > 1) expect((await up(options, `+${entries - 1}`)).ok).toBe(true);
  return { url: db.url, options };
}

describe("the seed's scenarios", () => {
  it("deploy to head from every intermediate release, with existing posts", async () => {
    const probe = await createTestDatabase(inject("serverUrl"), { prefix: "scenario_" });
    onTestFinished(() => probe.drop());
    const timeline = (await getStatus({ url: probe.url, migrationsDir, dataMigrationsDir })).timeline;
    expect(timeline.map((entry) => entry.kind)).toContain("data");
    for (let at = 1; at <= timeline.length; at++) {
      const { url, options } = await databaseAt(at);
      const result = await deploy(options);
      expect(result.ok, `from ${timeline[at - 1]?.name}: ${result.steps.at(-1)?.error?.message}`).toBe(true);
      expect((await getStatus(options)).atHead).toBe(true);
      expect(await sqlOn(url, "SELECT c.slug, count(*)::int AS posts FROM post p JOIN category c ON c.id = p.category_id GROUP BY c.slug")).toEqual([{ slug: "general", posts: POSTS }]);
      expect(await sqlOn(url, "SELECT is_nullable FROM information_schema.columns WHERE table_name = 'post' AND column_name = 'category_id'")).toEqual([{ is_nullable: "NO" }]);
    }
  });

  it("the rename keeps every rate limit's period", async () => {
    const db = await createTestDatabase(inject("serverUrl"), { prefix: "scenario_" });
    onTestFinished(() => db.drop());
    const options = { url: db.url, migrationsDir, dataMigrationsDir, dataClient: prismaClient };
    await up(options, "20261126051600_post_category_not_null");
    await sqlOn(db.url, "INSERT INTO tier (name) VALUES ('free'); INSERT INTO rate_limit (tier_id, name, path, \"limit\", period) VALUES (1, 'posts', '/posts', 10, 60)");
    expect((await deploy(options)).ok).toBe(true);
    expect(await sqlOn(db.url, "SELECT name, period_seconds FROM rate_limit")).toEqual([{ name: "posts", period_seconds: 60 }]);
  });
});
