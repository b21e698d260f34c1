import { describe, expect, it } from "vitest";
import { buildUrl, withDatabase } from "./database-url.ts";

describe("buildUrl", () => {
  it("percent-encodes user, password and database", () => {
    expect(buildUrl({ user: "a@b", password: "p/w:x", host: "127.0.0.1", port: 5, database: "my db" })).toBe(
      "postgresql://a%40b:p%2Fw%3Ax@127.0.0.1:5/my%20db",
    );
  });

  it("omits the password separator when there is no password", () => {
    expect(buildUrl({ user: "postgres", host: "127.0.0.1", port: 5432, database: "postgres" })).toBe(
      "postgresql://postgres@127.0.0.1:5432/postgres",
    );
  });
});

describe("withDatabase", () => {
  it("replaces only the database, keeping credentials and query", () => {
    expect(withDatabase("postgresql://u:p%40ss@host:5432/postgres?sslmode=require", "test_1")).toBe(
      "postgresql://u:p%40ss@host:5432/test_1?sslmode=require",
    );
  });

  it("adds a database to a URL that has none", () => {
    expect(withDatabase("postgres://u@host", "x")).toBe("postgres://u@host/x");
  });

  it("rejects an unparsable URL without echoing it", () => {
    expect(() => withDatabase("postgresql://u:secret@h1,h2:x/db", "x")).toThrow(
      expect.objectContaining({ code: "INVALID_URL", message: expect.not.stringContaining("secret") }),
    );
  });
});
