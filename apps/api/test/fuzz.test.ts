// A few hundred hostile requests (seeded, so every run sends the same ones): none may cause a 500, and
// none that is rejected may add, change or remove a row anywhere.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { superuser, type Session } from "./auth-helpers.ts";
import { testApi, type TestApi } from "./helpers.ts";
import { hostileRequests, type KnownIds } from "./fuzz/hostile-requests.ts";

const SEED = 20_261_126;
const COUNT = 400;

let api: TestApi;
let ids: KnownIds;
/** Requests are sent as a superuser, so they reach validation and the database rather than stop at 401/403. */
let admin: Session;
beforeAll(async () => {
  api = await testApi({ bodyLimitBytes: 256 * 1024 });
  admin = await superuser(api);
  const id = async (path: string, body: unknown) => (await admin.call<{ id: number }>("POST", path, body)).body.id;
  const tier = await id("/tiers", { name: "fuzz-base" });
  const category = await id("/categories", { name: "Fuzz base", slug: "fuzz-base" });
  const user = await id("/users", { name: "Base", username: "base", email: "base@example.com", password: "long enough", tierId: tier });
  const post = await id("/posts", { createdByUserId: user, categoryId: category, title: "Base", text: "Base post" });
  const rateLimit = await id("/rate-limits", { tierId: tier, name: "fuzz-base", path: "/posts", limit: 1, period: 1 });
  ids = { user, post, category, tier, rateLimit };
});
afterAll(() => api.dispose());

/** Every table's rows, hashed in id order: any added, changed or removed row changes it. */
async function fingerprint(): Promise<string> {
  const tables = ['"user"', "post", "category", "tier", "rate_limit"];
  const [row] = await api.sql<{ fingerprint: string }>(
    `SELECT concat_ws(' ', ${tables.map((table) => `(SELECT count(*) || ':' || md5(coalesce(string_agg(t::text, '|' ORDER BY id), '')) FROM ${table} t)`).join(", ")}) AS fingerprint`,
  );
  return row?.fingerprint ?? "";
}

describe(`${COUNT} hostile requests (seed ${SEED})`, () => {
  it("are generated deterministically", () => {
    expect(hostileRequests(SEED, 50, ids)).toEqual(hostileRequests(SEED, 50, ids));
  });

  it("never cause a 500, and a rejected one changes no row", async () => {
    const statuses = new Map<number, number>();
    let before = await fingerprint();
    for (const request of hostileRequests(SEED, COUNT, ids)) {
      const headers: Record<string, string> = { ...admin.headers };
      if (request.body !== undefined) headers["content-type"] = request.contentType ?? "application/json";
      const response = await api.app.request(request.path, { method: request.method, headers, ...(request.body !== undefined ? { body: request.body } : {}) });
      const text = await response.text();
      const what = `${request.method} ${request.path} (${request.label}) → ${response.status} ${text.slice(0, 300)}`;
      statuses.set(response.status, (statuses.get(response.status) ?? 0) + 1);
      expect(response.status, what).toBeLessThan(500);
      if (response.status < 300) expect(text, what).not.toMatch(/"hashedPassword"|scrypt\$/);
      else {
        expect(JSON.parse(text), what).toEqual({ error: expect.objectContaining({ code: expect.any(String), message: expect.any(String), requestId: expect.any(String) }) });
      }
      const after = await fingerprint();
      // A read, or a hostile-looking body that is in fact valid (SQL stored as text), may succeed.
      if (response.status >= 400 || request.method === "GET") expect(after, `a rejected request changed rows: ${what}`).toBe(before);
      before = after;
    }
    const rejected = [...statuses].filter(([status]) => status >= 400).reduce((sum, [, n]) => sum + n, 0);
    // Nearly everything generated is invalid; a run where most requests succeed means the generator broke.
    expect(rejected).toBeGreaterThan(COUNT * 0.8);
    expect({} as Record<string, unknown>).not.toHaveProperty("isSuperuser");
    expect({} as Record<string, unknown>).not.toHaveProperty("polluted");
  });

  it("leave the rows they did not target as they were, and no superuser appears", async () => {
    expect(await api.sql('SELECT count(*)::int AS n FROM "user" WHERE is_superuser AND id <> $1', [admin.id])).toEqual([{ n: 0 }]);
    expect(await api.sql("SELECT title, is_deleted FROM post WHERE id = $1", [ids.post])).toEqual([expect.objectContaining({ is_deleted: false })]);
    expect(await api.sql("SELECT count(*)::int AS n FROM tier WHERE name = 'injected'")).toEqual([{ n: 0 }]);
  });
});
