import { describe, expect, it } from "vitest";
import { redactUrl } from "./redact-url.ts";

describe("redactUrl", () => {
  it("replaces the password and keeps the rest as written", () => {
    expect(redactUrl("postgresql://postgres:s3cret@127.0.0.1:54329/app")).toBe(
      "postgresql://postgres:***@127.0.0.1:54329/app",
    );
  });

  it("keeps the postgres:// scheme, query string and fragment untouched", () => {
    expect(redactUrl("postgres://u:p@db.example.com/app?sslmode=require&schema=public#x")).toBe(
      "postgres://u:***@db.example.com/app?sslmode=require&schema=public#x",
    );
  });

  it("leaves a URL without a password unchanged", () => {
    for (const url of [
      "postgresql://postgres@127.0.0.1:5432/postgres",
      "postgresql://127.0.0.1:5432/app",
      "postgresql://localhost/app?sslmode=disable",
      "postgresql:///app?host=/var/run/postgresql",
      "postgresql://u:@host/db",
    ]) {
      expect(redactUrl(url)).toBe(url);
    }
  });

  it("hides a percent-encoded password without decoding it", () => {
    expect(redactUrl("postgresql://app:p%40ss%2Fw%3Ard@host:5432/db")).toBe("postgresql://app:***@host:5432/db");
  });

  it("keeps a percent-encoded user name", () => {
    expect(redactUrl("postgresql://us%40er:pw@host/db")).toBe("postgresql://us%40er:***@host/db");
  });

  it("hides a password holding a raw @", () => {
    const redacted = redactUrl("postgresql://u:p@ss@host:5432/db");
    expect(redacted).toBe("postgresql://u:***@host:5432/db");
  });

  it("hides a password holding raw special characters such as / ? # : and spaces", () => {
    for (const password of ["pa/ss", "pa?ss", "pa#ss", "pa:ss", "pa ss", "p'a\"s$s!"]) {
      const redacted = redactUrl(`postgresql://u:${password}@host:5432/db`);
      expect(redacted).not.toContain(password);
      expect(redacted).toContain("***");
    }
    expect(redactUrl("postgresql://u:pa:ss@host/db")).toBe("postgresql://u:***@host/db");
  });

  it("hides password and sslpassword query parameters, whatever their case", () => {
    expect(redactUrl("postgresql://host/db?user=u&password=secret&sslmode=require")).toBe(
      "postgresql://host/db?user=u&password=***&sslmode=require",
    );
    expect(redactUrl("postgresql://host/db?PASSWORD=secret")).toBe("postgresql://host/db?PASSWORD=***");
    expect(redactUrl("postgresql://host/db?sslpassword=keypass#frag")).toBe("postgresql://host/db?sslpassword=***#frag");
  });

  it("hides both the user-info password and a query password", () => {
    const redacted = redactUrl("postgresql://u:one@host/db?password=two");
    expect(redacted).toBe("postgresql://u:***@host/db?password=***");
  });

  it("does not touch parameters that merely end in password", () => {
    expect(redactUrl("postgresql://host/db?nopassword=1")).toBe("postgresql://host/db?nopassword=1");
  });

  it("handles several hosts, which URL parsers reject", () => {
    expect(redactUrl("postgresql://u:secret@h1:5432,h2:5433/db?target_session_attrs=read-write")).toBe(
      "postgresql://u:***@h1:5432,h2:5433/db?target_session_attrs=read-write",
    );
  });

  it("handles IPv6 hosts", () => {
    expect(redactUrl("postgresql://u:secret@[::1]:5432/db")).toBe("postgresql://u:***@[::1]:5432/db");
  });

  it("keeps an @ that appears only in the query", () => {
    expect(redactUrl("postgresql://u:pw@host/db?application_name=me@laptop")).toBe(
      "postgresql://u:***@host/db?application_name=me@laptop",
    );
  });

  it("hides the password of an unparsable string without a scheme", () => {
    expect(redactUrl("u:secret@host/db")).toBe("u:***@host/db");
  });

  it("hides the password in a libpq keyword/value string", () => {
    expect(redactUrl("host=localhost user=u password=secret dbname=app")).toBe(
      "host=localhost user=u password=*** dbname=app",
    );
    const quoted = redactUrl("host=localhost password = 'se cr\\'et' dbname=app");
    expect(quoted).not.toContain("se cr");
    expect(quoted).toContain("dbname=app");
  });

  it("never returns the password, whatever the input", () => {
    const secret = "Zq9-secret-Xy";
    const inputs = [
      `postgresql://u:${secret}@host/db`,
      `postgresql://u:${secret}@`,
      `postgresql://u:${secret}`.concat("@h1,h2"),
      `postgres://u:${secret}/with/slash@host/db`,
      `://u:${secret}@host`,
      `u:${secret}@host`,
      `postgresql://host/db?password=${secret}`,
      `password=${secret}`,
    ];
    for (const input of inputs) expect(redactUrl(input)).not.toContain(secret);
  });

  it("returns non-URL text unchanged", () => {
    expect(redactUrl("")).toBe("");
    expect(redactUrl("not a url")).toBe("not a url");
  });
});
