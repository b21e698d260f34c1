// What every route shares: one JSON error shape, request ids, request logs, limits on bodies, the
// OpenAPI document and Swagger UI, and a 503 (not a 500) when the database is down.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createApp } from "../src/app.ts";
import { superuser, type Session } from "./auth-helpers.ts";
import { FAST_SCRYPT, memoryLogger, testApi, type LogLine, type TestApi } from "./helpers.ts";

interface ErrorBody {
  error: { code: string; message: string; requestId: string; details?: { path: string; message: string }[] };
}

let api: TestApi;
/** /tiers is for superusers: the body errors below are those a caller allowed there gets. */
let admin: Session;
beforeAll(async () => {
  api = await testApi({ bodyLimitBytes: 64 * 1024 });
  admin = await superuser(api);
});
afterAll(() => api.dispose());

describe("errors", () => {
  it("share one shape whose requestId matches the X-Request-Id header", async () => {
    const response = await api.call<ErrorBody>("GET", "/posts/424242");
    expect(response.status).toBe(404);
    expect(response.body).toEqual({ error: { code: "NOT_FOUND", message: "No post with id 424242.", requestId: expect.any(String) } });
    expect(response.headers.get("x-request-id")).toBe(response.body.error.requestId);
  });

  it("answer 400 MALFORMED_JSON for a body that is not JSON", async () => {
    for (const body of ['{"name":', "{'name': 'x'}", '{"name":"a",}', "NaN", "{} {}"]) {
      const response = await admin.call<ErrorBody>("POST", "/tiers", body);
      expect(response.status, body).toBe(400);
      expect(response.body.error.code).toBe("MALFORMED_JSON");
    }
  });

  it("answer 415 for a body sent as another media type, and 422 for JSON that is not an object", async () => {
    const form = await admin.call<ErrorBody>("POST", "/tiers", "name=x", { "content-type": "application/x-www-form-urlencoded" });
    expect(form.status).toBe(415);
    expect(form.body.error.code).toBe("UNSUPPORTED_MEDIA_TYPE");
    for (const body of ["[]", "null", "42", '"tier"']) expect((await admin.call("POST", "/tiers", body)).status, body).toBe(422);
  });

  it("answer 413 for a body over the limit, before reading it all", async () => {
    const response = await api.call<ErrorBody>("POST", "/tiers", { name: "x".repeat(100 * 1024) });
    expect(response.status).toBe(413);
    expect(response.body.error.code).toBe("BODY_TOO_LARGE");
  });

  it("answer 404 ROUTE_NOT_FOUND for an unknown route or method", async () => {
    const response = await api.call<ErrorBody>("PUT", "/tiers/1", { name: "x" });
    expect(response.status).toBe(404);
    expect(response.body.error.code).toBe("ROUTE_NOT_FOUND");
  });

  it("answer 503 DATABASE_UNAVAILABLE, not 500, when the database cannot be reached", async () => {
    const down = await createApp({ databaseUrl: "postgresql://postgres@127.0.0.1:1/nowhere", environment: "test", logger: memoryLogger([]), createTablesOnStart: false, scrypt: FAST_SCRYPT });
    try {
      const response = await down.app.request("/posts");
      expect(response.status).toBe(503);
      expect(((await response.json()) as ErrorBody).error.code).toBe("DATABASE_UNAVAILABLE");
    } finally {
      await down.close();
    }
  });
});

describe("request ids and logs", () => {
  it("keep a well-formed X-Request-Id from the caller, replace a malformed one, and log each request with it", async () => {
    const kept = await api.call("GET", "/health", undefined, { "x-request-id": "lb-7f3a-01" });
    expect(kept.headers.get("x-request-id")).toBe("lb-7f3a-01");
    const replaced = await api.call("GET", "/health", undefined, { "x-request-id": "bad id\u0001<script>" });
    expect(replaced.headers.get("x-request-id")).toMatch(/^[0-9a-f-]{36}$/);
    const line = api.logs.find((entry: LogLine) => entry.requestId === "lb-7f3a-01");
    expect(line).toMatchObject({ msg: "request", method: "GET", path: "/health", status: 200, durationMs: expect.any(Number) });
  });

  it("never log a password", async () => {
    await api.call("POST", "/users", { name: "Logged", username: "logged", email: "logged@example.com", password: "hunter2hunter2" });
    expect(api.logs.length).toBeGreaterThan(0);
    expect(JSON.stringify(api.logs)).not.toContain("hunter2");
    const logs: LogLine[] = [];
    memoryLogger(logs).info({ user: { password: "hunter2hunter2", hashedPassword: "scrypt$…" } }, "redaction");
    expect(logs[0]?.user).toEqual({ password: "[redacted]", hashedPassword: "[redacted]" });
  });
});

describe("documentation", () => {
  it("serves an OpenAPI 3.1 document with every resource's routes and the error shape", async () => {
    const { status, body } = await api.call<{ openapi: string; paths: Record<string, Record<string, unknown>>; components: { schemas: Record<string, unknown> } }>("GET", "/openapi.json");
    expect(status).toBe(200);
    expect(body.openapi).toBe("3.1.0");
    for (const resource of ["users", "posts", "categories", "tiers", "rate-limits"]) {
      expect(Object.keys(body.paths[`/${resource}`] ?? {}).sort()).toEqual(["get", "post"]);
      expect(Object.keys(body.paths[`/${resource}/{id}`] ?? {}).sort()).toEqual(["delete", "get", "patch"]);
    }
    expect(Object.keys(body.paths)).toEqual(expect.arrayContaining(["/health", "/ready"]));
    expect(body.components.schemas).toHaveProperty("Error");
    expect(JSON.stringify(body.components.schemas.User)).not.toContain("hashedPassword");
  });

  it("serves Swagger UI at /docs pointing at the document, its script and stylesheet from the API itself", async () => {
    const response = await api.app.request("/docs");
    expect(response.status).toBe(200);
    const page = await response.text();
    expect(page).toContain("/openapi.json");
    // Nothing from another origin: the page must work on a closed network.
    expect(page).not.toMatch(/(src|href)="(https?:)?\/\//);
    const assets = [...page.matchAll(/(?:src|href)="([^"]+)"/g)].map((match) => match[1] as string);
    expect(assets.map((asset) => asset.split("/").at(-1)).sort()).toEqual(["swagger-ui-bundle.js", "swagger-ui.css"]);
    for (const asset of assets) {
      const file = await api.app.request(asset);
      expect(file.status, asset).toBe(200);
      expect(file.headers.get("content-type")).toMatch(asset.endsWith(".js") ? /javascript/ : /text\/css/);
      expect((await file.arrayBuffer()).byteLength).toBeGreaterThan(10_000);
    }
  });

  it("serves no other file of the Swagger UI package, nor anything outside it", async () => {
    for (const asset of ["index.html", "swagger-initializer.js", "..%2Fpackage.json", "..%2F..%2F..%2Fpackage.json"]) {
      expect((await api.app.request(`/docs/assets/swagger-ui-dist/${asset}`)).status, asset).toBe(404);
    }
  });
});
