// The client factory: Prisma Client 7 on the pg adapter, against the migrated schema.
import { createTestDatabase } from "@repo/dev-postgres";
import { applyMigrations } from "@repo/prisma-engine";
import { describe, expect, inject, it, onTestFinished } from "vitest";
import { statementNames } from "../src/client.ts";
import { createDb, migrationsDir } from "../src/index.ts";
import { sqlOn } from "./helpers.ts";

async function migratedDatabase(): Promise<string> {
  const db = await createTestDatabase(inject("serverUrl"), { prefix: "client_" });
  onTestFinished(() => db.drop());
  await applyMigrations({ url: db.url, migrationsDir });
  return db.url;
}

describe("createDb", () => {
  it("reads and writes the boilerplate's models through their snake_case tables", async () => {
    const url = await migratedDatabase();
    const db = createDb({ url, poolSize: 2 });
    onTestFinished(() => db.$disconnect());
    const tier = await db.tier.create({ data: { name: "free" } });
    const user = await db.user.create({
      data: { name: "Ada", username: "ada", email: "ada@example.com", hashedPassword: "x", tierId: tier.id },
    });
    const category = await db.category.create({ data: { name: "General", slug: "general" } });
    await db.post.create({ data: { title: "Hello", text: "First post", createdByUserId: user.id, categoryId: category.id } });
    await db.rateLimit.create({ data: { tierId: tier.id, name: "posts", path: "/posts", limit: 10, period: 60 } });

    expect(user.uuid).toMatch(/^[0-9a-f-]{36}$/);
    expect(user.isDeleted).toBe(false);
    expect(user.profileImageUrl).toBe("https://profileimageurl.com");
    const found = await db.user.findUniqueOrThrow({ where: { username: "ada" }, include: { posts: { include: { category: true } }, tier: true } });
    expect(found.posts.map((post) => [post.title, post.category.slug])).toEqual([["Hello", "general"]]);
    expect(found.tier?.name).toBe("free");
    expect(await sqlOn(url, 'SELECT username, hashed_password, tier_id FROM "user"')).toEqual([{ username: "ada", hashed_password: "x", tier_id: tier.id }]);
  });

  it("names its connections with applicationName, so operators can tell the API from the migrator", async () => {
    const url = await migratedDatabase();
    const db = createDb({ url, applicationName: "client-test-app" });
    onTestFinished(() => db.$disconnect());
    const rows = await db.$queryRaw<{ name: string }[]>`SELECT current_setting('application_name') AS name`;
    expect(rows).toEqual([{ name: "client-test-app" }]);
  });

  it("with preparedStatements, sends each distinct query as a named statement the connection keeps", async () => {
    const url = await migratedDatabase();
    const prepared = (db: ReturnType<typeof createDb>) =>
      db.$queryRaw<{ statement: string }[]>`SELECT statement FROM pg_prepared_statements WHERE statement LIKE '%"public"."tier"%' AND NOT from_sql`;
    const named = createDb({ url, poolSize: 1, preparedStatements: true });
    const plain = createDb({ url, poolSize: 1 });
    onTestFinished(async () => {
      await Promise.all([named.$disconnect(), plain.$disconnect()]);
    });
    for (const db of [named, plain]) {
      await db.tier.create({ data: { name: `t${Math.random()}` } });
      expect(await db.tier.count()).toBe(db === named ? 1 : 2);
      await db.tier.count();
    }
    // One INSERT and one count statement, each prepared once however often it ran; none without the option.
    const statements = (await prepared(named)).map((row) => row.statement).filter((sql) => !sql.includes("pg_prepared_statements"));
    expect(statements).toEqual([expect.stringMatching(/^INSERT INTO "public"."tier"/), expect.stringMatching(/^SELECT COUNT\(\*\)/)]);
    expect(await prepared(plain)).toEqual([]);
  });

  it("names at most max distinct statements, the same text always the same name, then leaves the rest unnamed", () => {
    const name = statementNames(2);
    expect([name({ sql: "a" }), name({ sql: "b" }), name({ sql: "a" }), name({ sql: "c" }), name({ sql: "b" })]).toEqual(["s1", "s2", "s1", "", "s2"]);
  });

  it("rejects a duplicate unique value with Prisma's P2002", async () => {
    const url = await migratedDatabase();
    const db = createDb({ url });
    onTestFinished(() => db.$disconnect());
    await db.tier.create({ data: { name: "pro" } });
    await expect(db.tier.create({ data: { name: "pro" } })).rejects.toMatchObject({ code: "P2002" });
  });
});
