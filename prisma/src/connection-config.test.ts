import { describe, expect, it } from "vitest";
import { parseConnectionUrl } from "./connection-config.ts";

describe("parseConnectionUrl", () => {
  it("reads host, port, user, password and database into separate fields", () => {
    const { config, database, schema } = parseConnectionUrl("postgresql://alice:s%40cret@db.example:6543/shop");
    expect(config).toMatchObject({ host: "db.example", port: 6543, user: "alice", password: "s@cret", database: "shop" });
    expect(config).not.toHaveProperty("connectionString");
    expect(database).toBe("shop");
    expect(schema).toBe("public");
  });

  it("takes Prisma's schema parameter and converts connect_timeout from seconds", () => {
    const { config, schema } = parseConnectionUrl("postgres://u@h/d?schema=tenant_1&connect_timeout=12");
    expect(schema).toBe("tenant_1");
    expect(config.connectionTimeoutMillis).toBe(12_000);
  });

  it("defaults to a 5 s connect timeout, as Prisma does", () => {
    expect(parseConnectionUrl("postgresql://u@h/d").config.connectionTimeoutMillis).toBe(5_000);
  });

  it("refuses a URL of another scheme without echoing it", () => {
    expect(() => parseConnectionUrl("mysql://root:hunter2@h/d")).toThrow(/must start with postgresql:\/\//);
    expect(() => parseConnectionUrl("mysql://root:hunter2@h/d")).not.toThrow(/hunter2/);
  });
});
