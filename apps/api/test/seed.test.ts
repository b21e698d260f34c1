// The development seed is idempotent: a second run creates nothing and changes nothing.
import { createDb } from "@repo/db/client";
import type { TestDatabase } from "@repo/dev-postgres";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ConfigError } from "../src/config.ts";
import { adminFromEnv, describeSeed, seed } from "../src/dev/seed.ts";
import { verifyPassword } from "../src/passwords.ts";
import { FAST_SCRYPT, sqlOn, testDatabase } from "./helpers.ts";

let database: TestDatabase;
beforeAll(async () => {
  database = await testDatabase();
});
afterAll(() => database.drop());

describe("seed", () => {
  it("creates tiers, the superuser from the environment and sample posts once; a second run changes nothing", async () => {
    const db = createDb({ url: database.url, poolSize: 2 });
    try {
      const admin = adminFromEnv({ ADMIN_USERNAME: "root", ADMIN_EMAIL: "root@example.com", ADMIN_PASSWORD: "chosen password" });
      const first = await seed(db, admin, FAST_SCRYPT);
      expect(first).toEqual({ tiersCreated: ["free", "pro"], admin: { username: "root", created: true, randomPassword: false }, postsCreated: 5 });
      const snapshot = async () => ({
        users: await sqlOn(database.url, 'SELECT * FROM "user" ORDER BY id'),
        posts: await sqlOn(database.url, "SELECT * FROM post ORDER BY id"),
        tiers: await sqlOn(database.url, "SELECT * FROM tier ORDER BY id"),
        categories: await sqlOn(database.url, "SELECT * FROM category ORDER BY id"),
      });
      const before = await snapshot();
      const [user] = before.users as { is_superuser: boolean; hashed_password: string; name: string }[];
      expect(user).toMatchObject({ is_superuser: true, name: "Admin" });
      expect(await verifyPassword("chosen password", user?.hashed_password ?? "")).toBe(true);

      const second = await seed(db, { ...admin, password: "another password" }, FAST_SCRYPT);
      expect(second).toEqual({ tiersCreated: [], admin: { username: "root", created: false, randomPassword: false }, postsCreated: 0 });
      expect(await snapshot()).toEqual(before);
      expect(describeSeed(second)).toBe("Seed\n  Tiers       already there\n  Superuser   root already there (left unchanged)\n  Posts       already there\n");
    } finally {
      await db.$disconnect();
    }
  });

  it("checks the ADMIN_* variables as the API checks a new user, naming the variable", () => {
    expect(adminFromEnv({})).toEqual({ name: "Admin", username: "admin", email: "admin@example.com", password: undefined });
    const error = (() => {
      try {
        adminFromEnv({ ADMIN_USERNAME: "Not Valid!", ADMIN_PASSWORD: "short" });
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).problems).toEqual(["ADMIN_USERNAME: lowercase letters and digits only", expect.stringMatching(/^ADMIN_PASSWORD: /)]);
  });
});
