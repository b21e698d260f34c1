// Sign-in, tokens and sign-out: POST /login, /refresh and /logout through the real routes, on a real
// database; token expiry on a clock the test moves; revocation through token_blacklist.
import { createDb } from "@repo/db/client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { adminFromEnv, seed } from "../src/dev/seed.ts";
import { cookieFrom, login, session, type Session } from "./auth-helpers.ts";
import { FAST_SCRYPT, TEST_JWT_SECRET, testApi, type TestApi } from "./helpers.ts";

interface ErrorBody {
  error: { code: string; message: string };
}
interface TokenBody {
  accessToken: string;
  tokenType: string;
  expiresIn: number;
}

let api: TestApi;
let clock = Date.now();
let user: Session;
beforeAll(async () => {
  api = await testApi({ auth: { jwtSecret: TEST_JWT_SECRET, accessTokenTtlSeconds: 900, refreshTokenTtlSeconds: 3600, now: () => clock } });
  user = await session(api);
});
afterAll(() => api.dispose());

const me = (token: string) => api.call<ErrorBody>("GET", `/users/${user.id}`, undefined, { authorization: `Bearer ${token}` });

describe("POST /login", () => {
  it("answers an access token and sets the refresh token in an httpOnly, Secure, SameSite=Strict cookie", async () => {
    const response = await api.call<TokenBody>("POST", "/login", { username: user.username, password: user.password });
    expect(response.status).toBe(200);
    expect(response.body).toEqual({ accessToken: expect.stringMatching(/^[\w-]+\.[\w-]+\.[\w-]+$/), tokenType: "bearer", expiresIn: 900 });
    const cookie = response.headers.getSetCookie().find((line) => line.startsWith("refresh_token="));
    expect(cookie).toMatch(/; Max-Age=3600/);
    expect(cookie).toMatch(/; HttpOnly/);
    expect(cookie).toMatch(/; Secure/);
    expect(cookie).toMatch(/; SameSite=Strict/);
    expect((await me(response.body.accessToken)).status).toBe(200);
  });

  it("accepts the email address in place of the username, and the username in any case", async () => {
    expect((await login(api, `${user.username}@example.com`, user.password)).accessToken).toBeTruthy();
    expect((await login(api, user.username.toUpperCase(), user.password)).accessToken).toBeTruthy();
  });

  it("answers the same 401 for a wrong password and for an unknown user, naming neither", async () => {
    const wrong = await api.call<ErrorBody>("POST", "/login", { username: user.username, password: "not the password" });
    const unknown = await api.call<ErrorBody>("POST", "/login", { username: "nobodyatall", password: "not the password" });
    expect(wrong.status).toBe(401);
    expect(unknown.status).toBe(401);
    expect(unknown.body.error).toEqual({ ...wrong.body.error, requestId: expect.any(String) });
    expect(wrong.body.error).toMatchObject({ code: "INVALID_CREDENTIALS", message: "Wrong username, email or password." });
    expect(wrong.headers.get("www-authenticate")).toBe('Bearer realm="api"');
    expect(wrong.headers.getSetCookie()).toEqual([]);
  });

  it("spends the same scrypt work on an unknown user as on a wrong password", async () => {
    // Medians of alternating runs, so a busy machine slows both sides alike. Without the decoy hash an
    // unknown user answers in well under a millisecond while a wrong password costs a full scrypt.
    const costly = await testApi({ scrypt: { N: 2 ** 14, r: 8, p: 1 } });
    try {
      const victim = await session(costly);
      const time = async (username: string) => {
        const started = performance.now();
        const response = await costly.call("POST", "/login", { username, password: "wrong password" });
        expect(response.status).toBe(401);
        return performance.now() - started;
      };
      await time("warmupuser");
      const known: number[] = [];
      const unknown: number[] = [];
      for (let i = 0; i < 4; i++) {
        known.push(await time(victim.username));
        unknown.push(await time(`ghost${i}`));
      }
      const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? 0;
      expect(median(unknown)).toBeGreaterThan(median(known) * 0.5);
    } finally {
      await costly.dispose();
    }
  });

  it("answers 422 for a body without a username or password, and never echoes the password", async () => {
    for (const body of [{}, { username: "a" }, { password: "secret-value-1" }, { username: "a", password: "secret-value-1", extra: 1 }]) {
      const response = await api.call<ErrorBody>("POST", "/login", body);
      expect(response.status, JSON.stringify(body)).toBe(422);
      expect(JSON.stringify(response.body)).not.toContain("secret-value-1");
    }
    expect(JSON.stringify(api.logs)).not.toContain(user.password);
  });

  it("refuses a deleted user as if unknown", async () => {
    const gone = await session(api);
    expect((await gone.call("DELETE", `/users/${gone.id}`)).status).toBe(204);
    const response = await api.call<ErrorBody>("POST", "/login", { username: gone.username, password: gone.password });
    expect(response.status).toBe(401);
    expect(response.body.error.code).toBe("INVALID_CREDENTIALS");
    // Its token stops working at once too.
    expect((await gone.call<ErrorBody>("GET", `/users/${gone.id}`)).status).toBe(401);
  });
});

describe("brute force", () => {
  it("throttles sign-in attempts per username and address with 429 and Retry-After, even with the right password; other users are unaffected", async () => {
    const throttled = await testApi({ rateLimit: { defaultBudget: null, login: { limit: 3, periodSeconds: 600 } } });
    try {
      const victim = await session(throttled);
      const bystander = await session(throttled);
      const attempt = (username: string, password: string) => throttled.call<ErrorBody>("POST", "/login", { username, password });
      for (let i = 0; i < 3; i++) expect((await attempt(victim.username, `guess ${i}`)).status).toBe(401);
      const blocked = await attempt(victim.username, victim.password);
      expect(blocked.status).toBe(429);
      expect(blocked.body.error.code).toBe("TOO_MANY_LOGIN_ATTEMPTS");
      expect(Number(blocked.headers.get("retry-after"))).toBeGreaterThan(500);
      // Unknown usernames are throttled alike: the 429 says nothing about which exist.
      for (let i = 0; i < 3; i++) await attempt("nosuchuser", `guess ${i}`);
      expect((await attempt("nosuchuser", "guess")).status).toBe(429);
      expect((await attempt(bystander.username, bystander.password)).status).toBe(200);
    } finally {
      await throttled.dispose();
    }
  });

  it("a successful sign-in clears the count", async () => {
    const throttled = await testApi({ rateLimit: { defaultBudget: null, login: { limit: 2, periodSeconds: 600 } } });
    try {
      const member = await session(throttled);
      for (let round = 0; round < 3; round++) {
        expect((await throttled.call("POST", "/login", { username: member.username, password: "wrong guess" })).status).toBe(401);
        expect((await throttled.call("POST", "/login", { username: member.username, password: member.password })).status).toBe(200);
      }
    } finally {
      await throttled.dispose();
    }
  });
});

describe("access tokens", () => {
  it("answer 401 with a reason once expired, and POST /refresh gives a new one from the cookie", async () => {
    const signedIn = await login(api, user.username, user.password);
    clock += 901 * 1000;
    try {
      const expired = await me(signedIn.accessToken);
      expect(expired.status).toBe(401);
      expect(expired.body.error.message).toMatch(/expired.*\/refresh/);
      expect(expired.headers.get("www-authenticate")).toBe('Bearer realm="api", error="invalid_token"');
      const refreshed = await api.call<TokenBody>("POST", "/refresh", undefined, { cookie: signedIn.refreshCookie });
      expect(refreshed.status).toBe(200);
      expect(refreshed.body.tokenType).toBe("bearer");
      expect((await me(refreshed.body.accessToken)).status).toBe(200);
    } finally {
      clock -= 901 * 1000;
    }
  });

  it("POST /refresh answers 401 without the cookie, with an expired one, or with an access token in its place", async () => {
    expect((await api.call<ErrorBody>("POST", "/refresh")).body.error.message).toMatch(/No refresh-token cookie/);
    const signedIn = await login(api, user.username, user.password);
    const swapped = await api.call<ErrorBody>("POST", "/refresh", undefined, { cookie: `refresh_token=${signedIn.accessToken}` });
    expect(swapped.status).toBe(401);
    expect(swapped.body.error.message).toBe("This is not a refresh token.");
    clock += 3601 * 1000;
    try {
      const expired = await api.call<ErrorBody>("POST", "/refresh", undefined, { cookie: signedIn.refreshCookie });
      expect(expired.status).toBe(401);
      expect(expired.body.error.message).toMatch(/refresh token has expired/);
    } finally {
      clock -= 3601 * 1000;
    }
  });

  it("are refused when tampered with, signed with another secret, of another scheme, or a refresh token", async () => {
    const signedIn = await login(api, user.username, user.password);
    const [header, payload, signature] = signedIn.accessToken.split(".") as [string, string, string];
    const claims = JSON.parse(Buffer.from(payload, "base64url").toString()) as Record<string, unknown>;
    const forged = `${header}.${Buffer.from(JSON.stringify({ ...claims, sub: String(user.id + 1) })).toString("base64url")}.${signature}`;
    const unsigned = `${Buffer.from(JSON.stringify({ alg: "none", typ: "JWT" })).toString("base64url")}.${payload}.`;
    const other = await testApi({ auth: { jwtSecret: "another-secret-another-secret-another-secret" } });
    const foreign = (await session(other)).accessToken;
    await other.dispose();
    const refreshToken = signedIn.refreshCookie.replace(/^refresh_token=/, "");
    for (const [label, authorization] of [
      ["forged subject", `Bearer ${forged}`],
      ["alg none", `Bearer ${unsigned}`],
      ["another secret", `Bearer ${foreign}`],
      ["garbage", "Bearer not.a.token"],
      ["refresh token", `Bearer ${refreshToken}`],
      ["basic scheme", `Basic ${Buffer.from("a:b").toString("base64")}`],
      ["empty", "Bearer "],
    ] as const) {
      const response = await api.call<ErrorBody>("GET", `/users/${user.id}`, undefined, { authorization });
      expect(response.status, label).toBe(401);
      expect(response.body.error.code, label).toBe("UNAUTHORIZED");
      expect(JSON.stringify(response.body), label).not.toContain(signature);
    }
  });

  it("a bad token is a 401 even on a public route (the client believes it is signed in)", async () => {
    expect((await api.call("GET", "/posts", undefined, { authorization: "Bearer nonsense" })).status).toBe(401);
    expect((await api.call("GET", "/posts")).status).toBe(200);
  });
});

describe("POST /logout", () => {
  it("revokes the access token and the refresh token (rows in token_blacklist) and clears the cookie", async () => {
    const signedIn = await login(api, user.username, user.password);
    const response = await api.call("POST", "/logout", undefined, { ...signedIn.headers, cookie: signedIn.refreshCookie });
    expect(response.status).toBe(204);
    expect(cookieFrom(response, "refresh_token")).toBe("refresh_token=");
    expect(response.headers.getSetCookie().find((line) => line.startsWith("refresh_token="))).toMatch(/Max-Age=0/);
    const revoked = await me(signedIn.accessToken);
    expect(revoked.status).toBe(401);
    expect(revoked.body.error.message).toMatch(/revoked/);
    const refresh = await api.call<ErrorBody>("POST", "/refresh", undefined, { cookie: signedIn.refreshCookie });
    expect(refresh.status).toBe(401);
    expect(refresh.body.error.message).toMatch(/revoked/);
    expect(await api.sql("SELECT count(*)::int AS n FROM token_blacklist WHERE expires_at > now()")).toEqual([{ n: 2 }]);
    // Other sessions of the same user go on.
    expect((await user.call("GET", `/users/${user.id}`)).status).toBe(200);
  });

  it("revokes the refresh token alone when the access token has already expired", async () => {
    const signedIn = await login(api, user.username, user.password);
    clock += 901 * 1000;
    try {
      expect((await api.call("POST", "/logout", undefined, { ...signedIn.headers, cookie: signedIn.refreshCookie })).status).toBe(204);
      expect((await api.call("POST", "/refresh", undefined, { cookie: signedIn.refreshCookie })).status).toBe(401);
    } finally {
      clock -= 901 * 1000;
    }
  });

  it("answers 401 when given no valid token", async () => {
    const response = await api.call<ErrorBody>("POST", "/logout", undefined, { authorization: "Bearer nonsense" });
    expect(response.status).toBe(401);
    expect(response.body.error.message).toMatch(/Nothing to sign out/);
  });

  it("purges records of tokens that have expired anyway", async () => {
    await api.sql("INSERT INTO token_blacklist (jti, expires_at) VALUES (gen_random_uuid(), now() - interval '1 day')");
    const signedIn = await login(api, user.username, user.password);
    expect((await api.call("POST", "/logout", undefined, signedIn.headers)).status).toBe(204);
    expect(await api.sql("SELECT count(*)::int AS n FROM token_blacklist WHERE expires_at < now()")).toEqual([{ n: 0 }]);
  });
});

describe("the development seed's superuser", () => {
  it("signs in with ADMIN_USERNAME (or ADMIN_EMAIL) and ADMIN_PASSWORD and may manage tiers", async () => {
    const db = createDb({ url: api.url, poolSize: 1 });
    try {
      await seed(db, adminFromEnv({ ADMIN_USERNAME: "root", ADMIN_EMAIL: "root@example.com", ADMIN_PASSWORD: "chosen password" }), FAST_SCRYPT);
    } finally {
      await db.$disconnect();
    }
    const root = await login(api, "root", "chosen password");
    expect((await root.call("GET", "/tiers")).status).toBe(200);
    expect((await login(api, "root@example.com", "chosen password")).accessToken).toBeTruthy();
  });
});

describe("the OpenAPI document", () => {
  it("declares the bearer and cookie schemes and each route's requirement", async () => {
    const { body } = await api.call<{
      components: { securitySchemes: Record<string, Record<string, string>> };
      paths: Record<string, Record<string, { security?: Record<string, string[]>[]; responses: Record<string, unknown> }>>;
    }>("GET", "/openapi.json");
    expect(body.components.securitySchemes.bearerAuth).toMatchObject({ type: "http", scheme: "bearer", bearerFormat: "JWT" });
    expect(body.components.securitySchemes.refreshCookie).toMatchObject({ type: "apiKey", in: "cookie", name: "refresh_token" });
    const security = (path: string, method: string) => body.paths[path]?.[method]?.security;
    expect(security("/login", "post")).toEqual([]);
    expect(security("/refresh", "post")).toEqual([{ refreshCookie: [] }]);
    expect(security("/tiers", "get")).toEqual([{ bearerAuth: [] }]);
    expect(security("/users/{id}", "patch")).toEqual([{ bearerAuth: [] }]);
    expect(security("/posts", "get")).toEqual([{}, { bearerAuth: [] }]);
    expect(Object.keys(body.paths["/tiers"]?.post?.responses ?? {})).toEqual(expect.arrayContaining(["401", "403", "429"]));
    expect(Object.keys(body.paths["/posts"]?.get?.responses ?? {})).not.toContain("401");
  });
});
