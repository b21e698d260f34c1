// Who may call what, route by route: 401 without a token (before the request is even validated), 403
// for a signed-in user who may not, and the allowed callers get through. A refused request changes
// nothing.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { session, superuser, type Session } from "./auth-helpers.ts";
import { testApi, type TestApi } from "./helpers.ts";

interface ErrorBody {
  error: { code: string; message: string };
}

let api: TestApi;
let admin: Session;
let alice: Session;
let bob: Session;
let tier: number;
let category: number;
let bobsPost: number;
let rateLimit: number;
beforeAll(async () => {
  api = await testApi();
  admin = await superuser(api);
  alice = await session(api);
  bob = await session(api);
  tier = (await admin.call<{ id: number }>("POST", "/tiers", { name: "authz" })).body.id;
  category = (await admin.call<{ id: number }>("POST", "/categories", { name: "Authz", slug: "authz" })).body.id;
  bobsPost = (await bob.call<{ id: number }>("POST", "/posts", { categoryId: category, title: "Bob's", text: "Mine." })).body.id;
  rateLimit = (await admin.call<{ id: number }>("POST", "/rate-limits", { tierId: tier, name: "authz", path: "/posts", limit: 5, period: 60 })).body.id;
});
afterAll(() => api.dispose());

/** Every table's rows: a refused request must leave them as they were. */
const snapshot = () =>
  api.sql(`SELECT (SELECT json_agg(t ORDER BY id) FROM "user" t) AS users, (SELECT json_agg(t ORDER BY id) FROM post t) AS posts,
                  (SELECT json_agg(t ORDER BY id) FROM category t) AS categories, (SELECT json_agg(t ORDER BY id) FROM tier t) AS tiers,
                  (SELECT json_agg(t ORDER BY id) FROM rate_limit t) AS limits`);

type Route = [method: string, path: () => string, body?: () => unknown];
const routes = {
  superuser: [
    ["GET", () => "/users"],
    ["POST", () => "/categories", () => ({ name: "New", slug: "new" })],
    ["PATCH", () => `/categories/${category}`, () => ({ name: "Renamed" })],
    ["DELETE", () => `/categories/${category}`],
    ["GET", () => "/tiers"],
    ["GET", () => `/tiers/${tier}`],
    ["POST", () => "/tiers", () => ({ name: "sneaky" })],
    ["PATCH", () => `/tiers/${tier}`, () => ({ name: "renamed" })],
    ["DELETE", () => `/tiers/${tier}`],
    ["GET", () => "/rate-limits"],
    ["GET", () => `/rate-limits/${rateLimit}`],
    ["POST", () => "/rate-limits", () => ({ tierId: tier, name: "sneaky", path: "/", limit: 1000, period: 1 })],
    ["PATCH", () => `/rate-limits/${rateLimit}`, () => ({ limit: 1_000_000 })],
    ["DELETE", () => `/rate-limits/${rateLimit}`],
  ] as Route[],
  // Bob's own rows: Alice is refused, Bob and superusers are not.
  owner: [
    ["GET", () => `/users/${bob.id}`],
    ["PATCH", () => `/users/${bob.id}`, () => ({ name: "Hijacked" })],
    ["DELETE", () => `/users/${bob.id}`],
    ["PATCH", () => `/posts/${bobsPost}`, () => ({ title: "Hijacked" })],
    ["DELETE", () => `/posts/${bobsPost}`],
  ] as Route[],
  signedIn: [["POST", () => "/posts", () => ({ categoryId: category, title: "Anon", text: "Anon." })]] as Route[],
};

describe("without a token", () => {
  it("every route that needs one answers 401 with a Bearer challenge, changing nothing", async () => {
    const before = await snapshot();
    for (const [method, path, body] of [...routes.superuser, ...routes.owner, ...routes.signedIn]) {
      const response = await api.call<ErrorBody>(method, path(), body?.());
      expect(response.status, `${method} ${path()}`).toBe(401);
      expect(response.body.error.code).toBe("UNAUTHORIZED");
      expect(response.headers.get("www-authenticate")).toBe('Bearer realm="api"');
    }
    expect(await snapshot()).toEqual(before);
  });

  it("answers 401 before validating the request, so a stranger learns nothing from validation errors", async () => {
    expect((await api.call("POST", "/tiers", "{not json")).status).toBe(401);
    expect((await api.call("PATCH", "/users/abc", { nope: 1 })).status).toBe(401);
  });

  it("public routes answer: sign-up, reading posts and categories", async () => {
    expect((await api.call("GET", "/posts")).status).toBe(200);
    expect((await api.call("GET", `/posts/${bobsPost}`)).status).toBe(200);
    expect((await api.call("GET", "/categories")).status).toBe(200);
    expect((await api.call("GET", `/categories/${category}`)).status).toBe(200);
    expect((await api.call("POST", "/users", { name: "Newcomer", username: "newcomer", email: "newcomer@example.com", password: "long enough" })).status).toBe(201);
  });
});

describe("a signed-in user who is not a superuser", () => {
  it("gets 403 on superuser routes, changing nothing", async () => {
    const before = await snapshot();
    for (const [method, path, body] of routes.superuser) {
      const response = await alice.call<ErrorBody>(method, path(), body?.());
      expect(response.status, `${method} ${path()}`).toBe(403);
      expect(response.body.error).toMatchObject({ code: "FORBIDDEN", message: expect.stringMatching(/^Only superusers may /) });
    }
    expect(await snapshot()).toEqual(before);
  });

  it("gets 403 on another user's account and posts, changing nothing", async () => {
    const before = await snapshot();
    for (const [method, path, body] of routes.owner) {
      const response = await alice.call<ErrorBody>(method, path(), body?.());
      expect(response.status, `${method} ${path()}`).toBe(403);
      expect(response.body.error.message).toMatch(/^You may only \w+ your own /);
    }
    expect(await snapshot()).toEqual(before);
  });

  it("may not choose a tier, post as someone else, or make themself a superuser", async () => {
    const signup = await api.call<ErrorBody>("POST", "/users", { name: "Climber", username: "climber", email: "climber@example.com", password: "long enough", tierId: tier });
    expect(signup.status).toBe(403);
    expect((await alice.call<ErrorBody>("PATCH", `/users/${alice.id}`, { tierId: tier })).status).toBe(403);
    expect((await alice.call<ErrorBody>("POST", "/posts", { createdByUserId: bob.id, categoryId: category, title: "As Bob", text: "x" })).status).toBe(403);
    expect((await alice.call<ErrorBody>("PATCH", `/users/${alice.id}`, { isSuperuser: true })).status).toBe(422);
    expect(await api.sql('SELECT is_superuser, tier_id FROM "user" WHERE id = $1', [alice.id])).toEqual([{ is_superuser: false, tier_id: null }]);
  });

  it("reads and changes their own account, writes posts as themself and edits and deletes them", async () => {
    expect((await alice.call("GET", `/users/${alice.id}`)).status).toBe(200);
    expect((await alice.call<{ name: string }>("PATCH", `/users/${alice.id}`, { name: "Alice B." })).body.name).toBe("Alice B.");
    const post = await alice.call<{ id: number; createdByUserId: number }>("POST", "/posts", { categoryId: category, title: "Alice's", text: "Hello." });
    expect(post.status).toBe(201);
    expect(post.body.createdByUserId).toBe(alice.id);
    expect((await alice.call("POST", "/posts", { createdByUserId: alice.id, categoryId: category, title: "Explicit", text: "Me." })).status).toBe(201);
    expect((await alice.call("PATCH", `/posts/${post.body.id}`, { title: "Edited" })).status).toBe(200);
    expect((await alice.call("DELETE", `/posts/${post.body.id}`)).status).toBe(204);
    expect((await alice.call("PATCH", `/posts/${post.body.id}`, { title: "Again" })).status).toBe(404);
  });

  it("loses superuser rights at once when the flag is taken away (the token is checked against the database)", async () => {
    const demoted = await superuser(api);
    expect((await demoted.call("GET", "/tiers")).status).toBe(200);
    await api.sql('UPDATE "user" SET is_superuser = false WHERE id = $1', [demoted.id]);
    expect((await demoted.call("GET", "/tiers")).status).toBe(403);
  });
});

describe("a superuser", () => {
  it("may do everything, to anyone's rows", async () => {
    expect((await admin.call("GET", `/users/${bob.id}`)).status).toBe(200);
    expect((await admin.call("PATCH", `/users/${bob.id}`, { tierId: tier })).status).toBe(200);
    expect((await admin.call("PATCH", `/posts/${bobsPost}`, { title: "Moderated" })).status).toBe(200);
    expect((await admin.call("POST", "/posts", { createdByUserId: bob.id, categoryId: category, title: "For Bob", text: "x" })).status).toBe(201);
    expect((await admin.call("PATCH", `/rate-limits/${rateLimit}`, { limit: 10 })).status).toBe(200);
    expect((await admin.call("DELETE", `/posts/${bobsPost}`)).status).toBe(204);
    expect((await admin.call("DELETE", `/users/${bob.id}`)).status).toBe(204);
  });
});
