// /rate-limits: per tier, unique names; the tier must exist.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { superuser, type Session } from "./auth-helpers.ts";
import { testApi, type TestApi } from "./helpers.ts";

interface RateLimit {
  id: number;
  tierId: number;
  name: string;
  path: string;
  limit: number;
  period: number;
  createdAt: string;
  updatedAt: string | null;
}
interface ErrorBody {
  error: { code: string; details?: { path: string; message: string }[] };
}

let api: TestApi;
/** A superuser: these tests cover the routes themselves; who may call them is authorization.test.ts. */
let admin: Session;
let free: number;
let pro: number;
beforeAll(async () => {
  api = await testApi();
  admin = await superuser(api);
  free = (await admin.call<{ id: number }>("POST", "/tiers", { name: "free" })).body.id;
  pro = (await admin.call<{ id: number }>("POST", "/tiers", { name: "pro" })).body.id;
});
afterAll(() => api.dispose());

describe("/rate-limits", () => {
  it("creates, reads, changes and deletes a rate limit", async () => {
    const created = await admin.call<RateLimit>("POST", "/rate-limits", { tierId: free, name: "free-posts", path: "/posts", limit: 10, period: 60 });
    expect(created.status).toBe(201);
    expect(created.body).toEqual({ id: expect.any(Number), tierId: free, name: "free-posts", path: "/posts", limit: 10, period: 60, createdAt: expect.any(String), updatedAt: expect.any(String) });
    const { id } = created.body;
    expect((await admin.call<RateLimit>("GET", `/rate-limits/${id}`)).body).toEqual(created.body);
    const changed = await admin.call<RateLimit>("PATCH", `/rate-limits/${id}`, { limit: 20, period: 30 });
    expect(changed.body).toMatchObject({ limit: 20, period: 30, path: "/posts" });
    expect(await api.sql("SELECT period_seconds FROM rate_limit WHERE id = $1", [id])).toEqual([{ period_seconds: 30 }]);
    expect((await admin.call("DELETE", `/rate-limits/${id}`)).status).toBe(204);
    expect((await admin.call("GET", `/rate-limits/${id}`)).status).toBe(404);
  });

  it("lists one tier's limits with ?tierId", async () => {
    const a = (await admin.call<RateLimit>("POST", "/rate-limits", { tierId: free, name: "a", path: "/a", limit: 1, period: 1 })).body;
    const b = (await admin.call<RateLimit>("POST", "/rate-limits", { tierId: pro, name: "b", path: "/b", limit: 1, period: 1 })).body;
    expect((await admin.call<{ data: RateLimit[] }>("GET", `/rate-limits?tierId=${pro}`)).body.data).toEqual([b]);
    expect((await admin.call<{ data: RateLimit[] }>("GET", `/rate-limits?tierId=${free}`)).body.data).toContainEqual(a);
  });

  it("answers 422 for an unknown tier or bad numbers, 409 for a taken name", async () => {
    const unknownTier = await admin.call<ErrorBody>("POST", "/rate-limits", { tierId: 999_999, name: "x", path: "/x", limit: 1, period: 1 });
    expect(unknownTier.status).toBe(422);
    expect(unknownTier.body.error).toMatchObject({ code: "UNKNOWN_REFERENCE", details: [{ path: "tierId" }] });
    for (const fields of [{ limit: 0 }, { period: -5 }, { limit: 1.5 }, { limit: 2 ** 31 }, { path: "no-slash" }, { limit: "10" }]) {
      expect((await admin.call("POST", "/rate-limits", { tierId: free, name: "bad", path: "/x", limit: 1, period: 1, ...fields })).status, JSON.stringify(fields)).toBe(422);
    }
    await admin.call("POST", "/rate-limits", { tierId: free, name: "taken", path: "/x", limit: 1, period: 1 });
    expect((await admin.call<ErrorBody>("POST", "/rate-limits", { tierId: pro, name: "taken", path: "/y", limit: 1, period: 1 })).status).toBe(409);
  });
});
