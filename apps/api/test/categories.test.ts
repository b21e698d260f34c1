// /categories: unique names and slugs; a category in use cannot be deleted.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { superuser, type Session } from "./auth-helpers.ts";
import { testApi, type TestApi } from "./helpers.ts";

interface Category {
  id: number;
  name: string;
  slug: string;
  description: string | null;
  createdAt: string;
}
interface ErrorBody {
  error: { code: string; message: string; details?: { path: string; message: string }[] };
}

let api: TestApi;
/** A superuser: these tests cover the routes themselves; who may call them is authorization.test.ts. */
let admin: Session;
beforeAll(async () => {
  api = await testApi();
  admin = await superuser(api);
});
afterAll(() => api.dispose());

describe("/categories", () => {
  it("creates, reads, lists, changes and deletes a category", async () => {
    const created = await admin.call<Category>("POST", "/categories", { name: "Science", slug: "science", description: "Facts" });
    expect(created.status).toBe(201);
    expect(created.body).toEqual({ id: expect.any(Number), name: "Science", slug: "science", description: "Facts", createdAt: expect.any(String) });
    const { id } = created.body;
    expect((await admin.call<Category>("GET", `/categories/${id}`)).body).toEqual(created.body);
    expect((await admin.call<{ data: Category[] }>("GET", "/categories?limit=100")).body.data).toContainEqual(created.body);
    const changed = await admin.call<Category>("PATCH", `/categories/${id}`, { description: null, slug: "hard-science" });
    expect(changed.body).toEqual({ ...created.body, description: null, slug: "hard-science" });
    expect((await admin.call("DELETE", `/categories/${id}`)).status).toBe(204);
    expect((await admin.call("GET", `/categories/${id}`)).status).toBe(404);
    expect((await admin.call("DELETE", `/categories/${id}`)).status).toBe(404);
  });

  it("answers 409 for a taken name or slug, 422 for a slug that is not lowercase words and hyphens", async () => {
    await admin.call("POST", "/categories", { name: "Music", slug: "music" });
    const name = await admin.call<ErrorBody>("POST", "/categories", { name: "Music", slug: "music-2" });
    expect(name.status).toBe(409);
    expect(name.body.error.details).toEqual([{ path: "name", message: "already taken" }]);
    expect((await admin.call<ErrorBody>("POST", "/categories", { name: "Music 2", slug: "music" })).body.error.details).toEqual([{ path: "slug", message: "already taken" }]);
    for (const slug of ["Music", "two words", "-edge", "a--b", ""]) expect((await admin.call("POST", "/categories", { name: `n ${slug}`, slug })).status, slug).toBe(422);
  });

  it("refuses with 409 to delete a category that still has posts, deleting nothing", async () => {
    const { body: category } = await admin.call<Category>("POST", "/categories", { name: "Busy", slug: "busy" });
    const { body: user } = await admin.call<{ id: number }>("POST", "/users", { name: "Writer", username: "writer", email: "w@example.com", password: "long enough" });
    await admin.call("POST", "/posts", { createdByUserId: user.id, categoryId: category.id, title: "Post", text: "Text" });
    const response = await admin.call<ErrorBody>("DELETE", `/categories/${category.id}`);
    expect(response.status).toBe(409);
    expect(response.body.error.message).toMatch(/still has posts/);
    expect((await admin.call("GET", `/categories/${category.id}`)).status).toBe(200);
  });
});
