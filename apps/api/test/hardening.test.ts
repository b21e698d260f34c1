// Hardening every response shares: security headers, CORS only for configured origins (with
// credentials, for the refresh cookie), and rate-limit headers readable by those origins.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { testApi, type TestApi } from "./helpers.ts";

let api: TestApi;
let closed: TestApi;
beforeAll(async () => {
  api = await testApi({ corsOrigins: ["https://app.example.com"] });
  closed = await testApi();
});
afterAll(async () => {
  await api.dispose();
  await closed.dispose();
});

describe("security headers", () => {
  it("are on every response, errors included", async () => {
    for (const [method, path] of [["GET", "/posts"], ["GET", "/posts/999999"], ["POST", "/tiers"], ["GET", "/health"]] as const) {
      const { headers } = await api.call(method, path);
      expect(headers.get("x-content-type-options"), path).toBe("nosniff");
      expect(headers.get("x-frame-options"), path).toBe("SAMEORIGIN");
      expect(headers.get("strict-transport-security"), path).toMatch(/max-age=\d+/);
      expect(headers.get("referrer-policy"), path).toBe("no-referrer");
      expect(headers.get("x-powered-by"), path).toBeNull();
    }
  });
});

describe("CORS", () => {
  it("answers a preflight from a configured origin, allowing credentials and the Authorization header", async () => {
    const response = await api.call("OPTIONS", "/posts", undefined, {
      origin: "https://app.example.com",
      "access-control-request-method": "POST",
      "access-control-request-headers": "authorization, content-type",
    });
    expect(response.status).toBe(204);
    expect(response.headers.get("access-control-allow-origin")).toBe("https://app.example.com");
    expect(response.headers.get("access-control-allow-credentials")).toBe("true");
    expect(response.headers.get("access-control-allow-headers")?.toLowerCase()).toContain("authorization");
    const simple = await api.call("GET", "/posts", undefined, { origin: "https://app.example.com" });
    expect(simple.headers.get("access-control-allow-origin")).toBe("https://app.example.com");
    expect(simple.headers.get("access-control-expose-headers")).toMatch(/RateLimit-Remaining/);
  });

  it("allows no other origin, and none at all when CORS_ORIGINS is empty", async () => {
    for (const app of [api, closed]) {
      const response = await app.call("GET", "/posts", undefined, { origin: "https://evil.example.com" });
      expect(response.headers.get("access-control-allow-origin")).toBeNull();
    }
  });
});
