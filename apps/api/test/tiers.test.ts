// /tiers: unique names; deleting a tier removes its rate limits and leaves its users without a tier.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { superuser, type Session } from "./auth-helpers.ts";
import { testApi, type TestApi } from "./helpers.ts";

interface Tier {
  id: number;
  name: string;
  createdAt: string;
  updatedAt: string | null;
}

let api: TestApi;
/** A superuser: these tests cover the routes themselves; who may call them is authorization.test.ts. */
let admin: Session;
beforeAll(async () => {
  api = await testApi();
  admin = await superuser(api);
});
afterAll(() => api.dispose());

describe("/tiers", () => {
  it("creates, reads, lists, renames and deletes a tier", async () => {
    const created = await admin.call<Tier>("POST", "/tiers", { name: "gold" });
    expect(created.status).toBe(201);
    expect(created.body).toEqual({ id: expect.any(Number), name: "gold", createdAt: expect.any(String), updatedAt: expect.any(String) });
    const { id } = created.body;
    expect((await admin.call<Tier>("GET", `/tiers/${id}`)).body).toEqual(created.body);
    expect((await admin.call<{ data: Tier[] }>("GET", "/tiers")).body.data).toContainEqual(created.body);
    expect((await admin.call<Tier>("PATCH", `/tiers/${id}`, { name: "platinum" })).body.name).toBe("platinum");
    expect((await admin.call("DELETE", `/tiers/${id}`)).status).toBe(204);
    expect((await admin.call("GET", `/tiers/${id}`)).status).toBe(404);
    expect((await admin.call("PATCH", `/tiers/${id}`, { name: "again" })).status).toBe(404);
  });

  it("answers 409 for a taken name and 422 for an empty or over-long one", async () => {
    await admin.call("POST", "/tiers", { name: "silver" });
    expect((await admin.call("POST", "/tiers", { name: "silver" })).status).toBe(409);
    expect((await admin.call("POST", "/tiers", { name: "" })).status).toBe(422);
    expect((await admin.call("POST", "/tiers", { name: "x".repeat(101) })).status).toBe(422);
  });

  it("deleting a tier removes its rate limits and unsets its users' tier", async () => {
    const { body: tier } = await admin.call<Tier>("POST", "/tiers", { name: "bronze" });
    const { body: user } = await admin.call<{ id: number }>("POST", "/users", { name: "Member", username: "member", email: "m@example.com", password: "long enough", tierId: tier.id });
    const { body: limit } = await admin.call<{ id: number }>("POST", "/rate-limits", { tierId: tier.id, name: "bronze-posts", path: "/posts", limit: 5, period: 60 });
    expect((await admin.call("DELETE", `/tiers/${tier.id}`)).status).toBe(204);
    expect((await admin.call("GET", `/rate-limits/${limit.id}`)).status).toBe(404);
    expect((await admin.call<{ tierId: number | null }>("GET", `/users/${user.id}`)).body.tierId).toBeNull();
  });
});
