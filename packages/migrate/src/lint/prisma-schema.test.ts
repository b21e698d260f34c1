import { describe, expect, it } from "vitest";
import { readPrismaTables } from "./prisma-schema.ts";

describe("readPrismaTables", () => {
  it("maps models and fields to their database names, leaving relation fields, views and enums out", () => {
    const tables = readPrismaTables(`
      // comment { with a brace
      datasource db { provider = "postgresql" }
      enum Role { USER ADMIN }
      model User {
        id       Int     @id @default(autoincrement())
        avatar   String  @default("https://example.com/a.png") @map("avatar_url") // not "https" a comment
        posts    Post[]
        tierId   Int?    @map("tier_id")
        tier     Tier?   @relation(fields: [tierId], references: [id])
        geo      Unsupported("geometry")?
        @@map("user")
      }
      model Post {
        id       Int   @id
        author   User  @relation(fields: [authorId], references: [id])
        authorId Int
      }
      model Tier {
        id Int @id
        @@map(name: "tier")
      }
      view Stats {
        id Int @unique
      }
    `);
    expect([...tables.keys()]).toEqual(["user", "Post", "tier"]);
    expect(Object.fromEntries(tables.get("user")?.columns ?? [])).toEqual({ id: "id", avatar_url: "avatar", tier_id: "tierId", geo: "geo" });
    expect(tables.get("user")?.model).toBe("User");
    expect([...(tables.get("Post")?.columns.keys() ?? [])]).toEqual(["id", "authorId"]);
  });
});
