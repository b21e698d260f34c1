import { describe, expect, it } from "vitest";
import { pgEnvironment } from "./pg-env.ts";

describe("pgEnvironment", () => {
  it("puts every part of the URL in libpq's variables, the password decoded", () => {
    const { env, ignored } = pgEnvironment("postgresql://app%40x:p%40ss%2Fw%3Ard@db.example.com:6543/my%20db?schema=app&connection_limit=1");
    expect(env).toEqual({ PGAPPNAME: "migrator (backup)", PGHOST: "db.example.com", PGPORT: "6543", PGUSER: "app@x", PGPASSWORD: "p@ss/w:rd", PGDATABASE: "my db" });
    expect(ignored).toEqual([]);
  });

  it("maps TLS and connection parameters, and node-postgres's sslmode=no-verify to require", () => {
    const { env } = pgEnvironment("postgres://u@h/d?sslmode=no-verify&sslrootcert=/ca.pem&sslcert=/c.pem&sslkey=/k.pem&connect_timeout=5&options=-c%20search_path%3Dx");
    expect(env).toMatchObject({ PGSSLMODE: "require", PGSSLROOTCERT: "/ca.pem", PGSSLCERT: "/c.pem", PGSSLKEY: "/k.pem", PGCONNECT_TIMEOUT: "5", PGOPTIONS: "-c search_path=x" });
    expect(pgEnvironment("postgres://u@h/d?sslmode=verify-full").env.PGSSLMODE).toBe("verify-full");
  });

  it("takes a Unix socket folder from ?host= and leaves an empty host to libpq", () => {
    expect(pgEnvironment("postgresql:///app?host=/var/run/postgresql").env).toMatchObject({ PGHOST: "/var/run/postgresql", PGDATABASE: "app" });
    expect(pgEnvironment("postgresql:///app").env.PGHOST).toBeUndefined();
  });

  it("strips the brackets of an IPv6 host", () => {
    expect(pgEnvironment("postgresql://u@[::1]:5432/d").env.PGHOST).toBe("::1");
  });

  it("reports parameters pg_dump cannot be given, and refuses an unknown sslmode", () => {
    expect(pgEnvironment("postgresql://u@h/d?keepalives=1&schema=x").ignored).toEqual(["keepalives"]);
    expect(() => pgEnvironment("postgresql://u@h/d?sslmode=always")).toThrow(/sslmode=always is not one PostgreSQL knows/);
  });
});
