// /posts: written by a live user, in an existing category; soft delete; list filters.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { superuser, type Session } from "./auth-helpers.ts";
import { testApi, type TestApi } from "./helpers.ts";

interface Post {
  id: number;
  uuid: string;
  createdByUserId: number;
  categoryId: number;
  title: string;
  text: string;
  mediaUrl: string | null;
  createdAt: string;
  updatedAt: string | null;
}
interface ErrorBody {
  error: { code: string; message: string; details?: { path: string; message: string }[] };
}

let api: TestApi;
/** A superuser: these tests cover the routes themselves; who may call them is authorization.test.ts. */
let admin: Session;
let author: number;
let other: number;
let category: number;
let otherCategory: number;
beforeAll(async () => {
  api = await testApi();
  admin = await superuser(api);
  const user = (username: string) => admin.call<{ id: number }>("POST", "/users", { name: username, username, email: `${username}@example.com`, password: "long enough" });
  author = (await user("author")).body.id;
  other = (await user("other")).body.id;
  category = (await admin.call<{ id: number }>("POST", "/categories", { name: "News", slug: "news" })).body.id;
  otherCategory = (await admin.call<{ id: number }>("POST", "/categories", { name: "Sport", slug: "sport" })).body.id;
});
afterAll(() => api.dispose());

const create = (fields: Record<string, unknown> = {}) =>
  admin.call<Post>("POST", "/posts", { createdByUserId: author, categoryId: category, title: "A title", text: "Some text.", ...fields });

describe("POST /posts", () => {
  it("creates a post (201) with its author and category", async () => {
    const response = await create({ mediaUrl: "https://example.com/a.png" });
    expect(response.status).toBe(201);
    expect(response.body).toEqual({
      id: expect.any(Number),
      uuid: expect.stringMatching(/^[0-9a-f-]{36}$/),
      createdByUserId: author,
      categoryId: category,
      title: "A title",
      text: "Some text.",
      mediaUrl: "https://example.com/a.png",
      createdAt: expect.any(String),
      updatedAt: expect.any(String),
    });
  });

  it("keeps quotes, SQL and markup as text", async () => {
    const text = `'); DROP TABLE post; -- <script>alert("x")</script> ${"\u202e"}ȷ 𝔘nicode`;
    const { status, body } = await create({ title: "O'Reilly \"quoted\"", text });
    expect(status).toBe(201);
    expect((await admin.call<Post>("GET", `/posts/${body.id}`)).body).toMatchObject({ title: "O'Reilly \"quoted\"", text });
  });

  it("answers 422 when the author does not exist or is deleted, or the category does not exist", async () => {
    const missing = await create({ createdByUserId: 999_999 });
    expect(missing.status).toBe(422);
    expect((missing.body as unknown as ErrorBody).error).toMatchObject({ code: "UNKNOWN_REFERENCE", details: [{ path: "createdByUserId" }] });
    const { body: gone } = await admin.call<{ id: number }>("POST", "/users", { name: "Gone", username: "gone", email: "gone@example.com", password: "long enough" });
    await admin.call("DELETE", `/users/${gone.id}`);
    expect((await create({ createdByUserId: gone.id })).status).toBe(422);
    const noCategory = await create({ categoryId: 999_999 });
    expect(noCategory.status).toBe(422);
    expect((noCategory.body as unknown as ErrorBody).error.details).toEqual([{ path: "categoryId", message: "must refer to an existing row" }]);
  });

  it("answers 422 for a title past 30 characters, an empty text, a media URL that is not http(s), or NUL characters", async () => {
    for (const fields of [{ title: "x".repeat(31) }, { text: "" }, { mediaUrl: "javascript:alert(1)" }, { title: "nul\u0000byte" }]) {
      const response = await create(fields);
      expect(response.status, JSON.stringify(fields)).toBe(422);
    }
  });
});

describe("GET /posts and /posts/{id}", () => {
  it("reads a post, and filters the list by author and by category", async () => {
    const mine = (await create({ title: "Mine" })).body;
    const theirs = (await create({ createdByUserId: other, categoryId: otherCategory, title: "Theirs" })).body;
    expect((await admin.call<Post>("GET", `/posts/${mine.id}`)).body).toEqual(mine);
    const byOther = await admin.call<{ data: Post[] }>("GET", `/posts?createdByUserId=${other}`);
    expect(byOther.body.data).toEqual([theirs]);
    const inSport = await admin.call<{ data: Post[] }>("GET", `/posts?categoryId=${otherCategory}&limit=100`);
    expect(inSport.body.data.map((post) => post.id)).toEqual([theirs.id]);
    expect((await admin.call("GET", "/posts?createdByUserId=abc")).status).toBe(422);
  });
});

describe("PATCH /posts/{id}", () => {
  it("changes the title, text, media URL or category, and nothing else", async () => {
    const { body: post } = await create();
    const response = await admin.call<Post>("PATCH", `/posts/${post.id}`, { title: "New title", mediaUrl: null, categoryId: otherCategory });
    expect(response.status).toBe(200);
    expect(response.body).toEqual({ ...post, title: "New title", mediaUrl: null, categoryId: otherCategory, updatedAt: expect.any(String) });
    const authorChange = await admin.call<ErrorBody>("PATCH", `/posts/${post.id}`, { createdByUserId: other });
    expect(authorChange.status).toBe(422);
    expect(authorChange.body.error.details?.[0]?.message).toBe('unknown field: "createdByUserId"');
  });

  it("answers 404 for a missing or deleted post", async () => {
    const { body: post } = await create();
    await admin.call("DELETE", `/posts/${post.id}`);
    expect((await admin.call("PATCH", `/posts/${post.id}`, { title: "Again" })).status).toBe(404);
    expect((await admin.call("PATCH", "/posts/999999", { title: "Again" })).status).toBe(404);
  });
});

describe("DELETE /posts/{id}", () => {
  it("soft-deletes: 204, then hidden from reads and lists, the row kept", async () => {
    const { body: post } = await create({ title: "Doomed" });
    expect((await admin.call("DELETE", `/posts/${post.id}`)).status).toBe(204);
    expect((await admin.call("GET", `/posts/${post.id}`)).status).toBe(404);
    const list = await admin.call<{ data: Post[] }>("GET", `/posts?limit=100&cursor=${post.id - 1}`);
    expect(list.body.data.map((row) => row.id)).not.toContain(post.id);
    expect(await api.sql("SELECT title, is_deleted FROM post WHERE id = $1", [post.id])).toEqual([{ title: "Doomed", is_deleted: true }]);
    expect((await admin.call("DELETE", `/posts/${post.id}`)).status).toBe(404);
  });
});
