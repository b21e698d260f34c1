// /users: the happy paths and every error a client can cause, on a migrated database.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { verifyPassword } from "../src/passwords.ts";
import { superuser, type Session } from "./auth-helpers.ts";
import { testApi, type TestApi } from "./helpers.ts";

interface User {
  id: number;
  uuid: string;
  name: string;
  username: string;
  email: string;
  tierId: number | null;
  isSuperuser: boolean;
  createdAt: string;
  updatedAt: string | null;
}
interface Page<T> {
  data: T[];
  nextCursor: number | null;
}
interface ErrorBody {
  error: { code: string; message: string; requestId: string; details?: { path: string; message: string }[] };
}

let api: TestApi;
/** A superuser: these tests cover the routes themselves; who may call them is authorization.test.ts. */
let admin: Session;
beforeAll(async () => {
  api = await testApi();
  admin = await superuser(api);
});
afterAll(() => api.dispose());

let counter = 0;
const newUser = (fields: Record<string, unknown> = {}) => {
  counter += 1;
  return { name: `User ${counter}`, username: `user${counter}`, email: `user${counter}@example.com`, password: "correct horse", ...fields };
};
const create = (fields: Record<string, unknown> = {}) => admin.call<User>("POST", "/users", newUser(fields));

describe("POST /users", () => {
  it("creates a user, answers 201 with its public fields and never the password or its hash", async () => {
    const response = await admin.call<User>("POST", "/users", { name: "Ada Lovelace", username: "ada", email: "ada@example.com", password: "analytical engine" });
    expect(response.status).toBe(201);
    expect(response.body).toEqual({
      id: expect.any(Number),
      uuid: expect.stringMatching(/^[0-9a-f-]{36}$/),
      name: "Ada Lovelace",
      username: "ada",
      email: "ada@example.com",
      profileImageUrl: "https://profileimageurl.com",
      tierId: null,
      isSuperuser: false,
      createdAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
      updatedAt: expect.any(String),
    });
    expect(JSON.stringify(response.body)).not.toMatch(/password|analytical/i);
  });

  it("stores the password as a self-describing scrypt hash that verifies", async () => {
    const { body } = await create({ password: "s3cret password" });
    const [row] = await api.sql<{ hashed_password: string }>('SELECT hashed_password FROM "user" WHERE id = $1', [body.id]);
    expect(row?.hashed_password).toMatch(/^scrypt\$1024\$8\$1\$[\w-]{22}\$[\w-]{43}$/);
    expect(await verifyPassword("s3cret password", row?.hashed_password ?? "")).toBe(true);
    expect(await verifyPassword("s3cret passworD", row?.hashed_password ?? "")).toBe(false);
  });

  it("answers 409 naming the field when the username or the email is taken", async () => {
    const { body: first } = await create();
    const sameUsername = await admin.call<ErrorBody>("POST", "/users", newUser({ username: first.username }));
    expect(sameUsername.status).toBe(409);
    expect(sameUsername.body.error).toMatchObject({ code: "CONFLICT", details: [{ path: "username", message: "already taken" }] });
    const sameEmail = await admin.call<ErrorBody>("POST", "/users", newUser({ email: first.email }));
    expect(sameEmail.status).toBe(409);
    expect(sameEmail.body.error.details).toEqual([{ path: "email", message: "already taken" }]);
  });

  it("answers 422 for a tierId that names no tier", async () => {
    const response = await admin.call<ErrorBody>("POST", "/users", newUser({ tierId: 999_999 }));
    expect(response.status).toBe(422);
    expect(response.body.error).toMatchObject({ code: "UNKNOWN_REFERENCE", details: [{ path: "tierId" }] });
  });

  it("answers 422 listing each problem: wrong types, bad formats, unknown fields such as isSuperuser", async () => {
    const response = await admin.call<ErrorBody>("POST", "/users", { name: 5, username: "Not Valid", email: "nope", password: "short", isSuperuser: true });
    expect(response.status).toBe(422);
    expect(response.body.error.code).toBe("VALIDATION_FAILED");
    expect(response.body.error.details?.map((detail) => detail.path).sort()).toEqual(["", "email", "name", "password", "username"]);
    expect(response.body.error.details?.find((detail) => detail.path === "")?.message).toBe('unknown field: "isSuperuser"');
    expect(await api.sql("SELECT 1 FROM \"user\" WHERE username = 'Not Valid'")).toEqual([]);
  });
});

describe("GET /users/{id}", () => {
  it("reads a user", async () => {
    const { body: created } = await create();
    const response = await admin.call<User>("GET", `/users/${created.id}`);
    expect(response.status).toBe(200);
    expect(response.body).toEqual(created);
  });

  it("answers 404 for an id with no user, and 422 for an id that is not a positive int4", async () => {
    expect((await admin.call<ErrorBody>("GET", "/users/999999")).body.error).toMatchObject({ code: "NOT_FOUND", message: "No user with id 999999." });
    for (const id of ["abc", "0", "-1", "1.5", "2147483648"]) expect((await admin.call("GET", `/users/${id}`)).status, id).toBe(422);
  });
});

describe("GET /users", () => {
  it("pages through users in id order with limit and cursor, skipping deleted ones", async () => {
    const made = [];
    for (let i = 0; i < 5; i++) made.push((await create()).body);
    await admin.call("DELETE", `/users/${made[2]?.id}`);
    const cursor = (made[0]?.id ?? 0) - 1;
    const first = await admin.call<Page<User>>("GET", `/users?limit=2&cursor=${cursor}`);
    expect(first.status).toBe(200);
    expect(first.body.data.map((user) => user.id)).toEqual([made[0]?.id, made[1]?.id]);
    expect(first.body.nextCursor).toBe(made[1]?.id);
    const second = await admin.call<Page<User>>("GET", `/users?limit=2&cursor=${first.body.nextCursor}`);
    expect(second.body).toEqual({ data: [made[3], made[4]], nextCursor: null });
    const past = await admin.call<Page<User>>("GET", `/users?limit=2&cursor=${made[4]?.id}`);
    expect(past.body).toEqual({ data: [], nextCursor: null });
  });

  it("defaults to 20 rows and refuses a limit outside 1–100", async () => {
    for (let i = 0; i < 21; i++) await create();
    const page = await admin.call<Page<User>>("GET", "/users");
    expect(page.body.data).toHaveLength(20);
    expect(page.body.nextCursor).toEqual(expect.any(Number));
    for (const limit of ["0", "101", "ten"]) {
      const response = await admin.call<ErrorBody>("GET", `/users?limit=${limit}`);
      expect(response.status).toBe(422);
      expect(response.body.error.details?.[0]?.path).toBe("query.limit");
    }
  });
});

describe("PATCH /users/{id}", () => {
  it("changes the given fields only, and a new password is hashed anew", async () => {
    const { body: created } = await create();
    const [before] = await api.sql<{ hashed_password: string }>('SELECT hashed_password FROM "user" WHERE id = $1', [created.id]);
    const response = await admin.call<User>("PATCH", `/users/${created.id}`, { name: "Renamed", password: "another password" });
    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({ ...created, name: "Renamed", updatedAt: expect.any(String) });
    const [after] = await api.sql<{ hashed_password: string }>('SELECT hashed_password FROM "user" WHERE id = $1', [created.id]);
    expect(after?.hashed_password).not.toBe(before?.hashed_password);
    expect(await verifyPassword("another password", after?.hashed_password ?? "")).toBe(true);
  });

  it("moves a user to a tier and back to none", async () => {
    const { body: tier } = await admin.call<{ id: number }>("POST", "/tiers", { name: "users-test-tier" });
    const { body: created } = await create();
    expect((await admin.call<User>("PATCH", `/users/${created.id}`, { tierId: tier.id })).body.tierId).toBe(tier.id);
    expect((await admin.call<User>("PATCH", `/users/${created.id}`, { tierId: null })).body.tierId).toBeNull();
  });

  it("answers 404 for a missing or deleted user, 409 for a taken username, 422 for an empty change", async () => {
    const { body: a } = await create();
    const { body: b } = await create();
    expect((await admin.call("PATCH", "/users/999999", { name: "Nobody" })).status).toBe(404);
    expect((await admin.call<ErrorBody>("PATCH", `/users/${a.id}`, { username: b.username })).body.error.code).toBe("CONFLICT");
    const empty = await admin.call<ErrorBody>("PATCH", `/users/${a.id}`, {});
    expect(empty.status).toBe(422);
    expect(empty.body.error.details).toEqual([{ path: "", message: "give at least one field to change" }]);
    await admin.call("DELETE", `/users/${a.id}`);
    expect((await admin.call("PATCH", `/users/${a.id}`, { name: "Ghost" })).status).toBe(404);
  });
});

describe("DELETE /users/{id}", () => {
  it("soft-deletes: 204, then 404 for reads and deletes, while the row stays marked deleted", async () => {
    const { body: created } = await create();
    const response = await admin.call("DELETE", `/users/${created.id}`);
    expect(response.status).toBe(204);
    expect(response.body).toBe("");
    expect((await admin.call("GET", `/users/${created.id}`)).status).toBe(404);
    expect((await admin.call("DELETE", `/users/${created.id}`)).status).toBe(404);
    const [row] = await api.sql<{ is_deleted: boolean; deleted_at: Date | null }>('SELECT is_deleted, deleted_at FROM "user" WHERE id = $1', [created.id]);
    expect(row).toEqual({ is_deleted: true, deleted_at: expect.any(Date) });
  });
});
