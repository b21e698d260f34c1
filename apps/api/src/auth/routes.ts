// POST /login, /refresh and /logout. Login answers the same 401, after the same scrypt work, whether
// the username is unknown or the password wrong, so neither the message nor the timing tells which
// usernames exist; failed attempts per username and address are throttled (429) in the rate-limit store.
import { randomBytes } from "node:crypto";
import { createRoute, OpenAPIHono, z } from "@hono/zod-openapi";
import type { PrismaClient } from "@repo/db/client";
import type { Context } from "hono";
import { deleteCookie, getCookie, setCookie } from "hono/cookie";
import type { AppEnv } from "../app-env.ts";
import { errorResponses } from "../errors/error-body.ts";
import { validationHook } from "../errors/respond.ts";
import { hashPassword, verifyPassword, type ScryptParams } from "../passwords.ts";
import type { Budget } from "../rate-limit/budget.ts";
import type { RateLimitStore } from "../rate-limit/store.ts";
import { text } from "../schemas/fields.ts";
import { bearerToken, challenge } from "./authenticate.ts";
import { loadCaller } from "./caller.ts";
import { InvalidCredentialsError, TooManyLoginAttemptsError, UnauthorizedError } from "./errors.ts";
import { BEARER, REFRESH_COOKIE, REFRESH_COOKIE_SCHEME } from "./openapi.ts";
import { revokeTokens, type Revocable } from "./revocation.ts";
import type { Tokens } from "./tokens.ts";

export interface AuthRoutesOptions {
  db: PrismaClient;
  tokens: Tokens;
  scrypt: ScryptParams;
  store: RateLimitStore;
  /** Login attempts allowed per username and address per period. */
  loginBudget: Budget;
  clientIp: (c: Context<AppEnv>) => string;
}

export const LoginBody = z
  .strictObject({
    username: text(1, 254).openapi({ description: "A username or an email address.", example: "admin" }),
    password: text(1, 128).openapi({ example: "correct horse battery staple" }),
  })
  .openapi("Login");

export const AccessToken = z
  .object({
    accessToken: z.string().openapi({ description: "Send as `Authorization: Bearer <accessToken>`." }),
    tokenType: z.literal("bearer"),
    expiresIn: z.number().int().openapi({ description: "Seconds until the access token expires." }),
  })
  .openapi("AccessToken");

const json = <T extends z.ZodType>(schema: T) => ({ "application/json": { schema } });

export function authRoutes(options: AuthRoutesOptions): OpenAPIHono<AppEnv> {
  const { db, tokens } = options;
  const app = new OpenAPIHono<AppEnv>({ defaultHook: validationHook });
  // An unknown username costs the same scrypt work as a wrong password: a hash made once, lazily.
  let decoy: Promise<string> | undefined;
  const decoyHash = () => (decoy ??= hashPassword(randomBytes(16).toString("hex"), options.scrypt));

  const accessTokenFor = async (userId: number) => {
    const access = await tokens.issue(userId, "access");
    return { accessToken: access.token, tokenType: "bearer" as const, expiresIn: access.ttlSeconds };
  };

  app.openapi(
    createRoute({
      method: "post",
      path: "/login",
      tags: ["Authentication"],
      summary: "Sign in with a username or email and a password",
      description:
        "Answers a short-lived access token and sets the refresh token in an httpOnly, Secure, SameSite=Strict cookie. " +
        "A wrong password and an unknown user get the same 401. Failed attempts per username and address are limited (LOGIN_RATE_LIMIT): beyond, 429.",
      security: [],
      request: { body: { content: json(LoginBody), required: true } },
      responses: {
        200: { description: "Signed in; the refresh token is in the Set-Cookie header", content: json(AccessToken) },
        ...errorResponses(400, 401, 415, 422, 429, 503),
      },
    }),
    async (c) => {
      const { username, password } = c.req.valid("json");
      const throttleKey = `login:${username.toLowerCase()}:${options.clientIp(c)}`;
      const attempt = await options.store.consume(throttleKey, options.loginBudget);
      if (!attempt.allowed) {
        c.header("Retry-After", String(attempt.resetSeconds));
        throw new TooManyLoginAttemptsError(attempt.resetSeconds);
      }
      const user = await db.user.findFirst({
        select: { id: true, hashedPassword: true },
        where: { isDeleted: false, OR: [{ username: username.toLowerCase() }, { email: username }] },
      });
      const matches = await verifyPassword(password, user?.hashedPassword ?? (await decoyHash()));
      if (!user || !matches) {
        challenge(c);
        throw new InvalidCredentialsError();
      }
      await options.store.reset(throttleKey, options.loginBudget);
      const refresh = await tokens.issue(user.id, "refresh");
      setCookie(c, REFRESH_COOKIE, refresh.token, { httpOnly: true, secure: true, sameSite: "Strict", path: "/", maxAge: refresh.ttlSeconds });
      return c.json(await accessTokenFor(user.id), 200);
    },
  );

  app.openapi(
    createRoute({
      method: "post",
      path: "/refresh",
      tags: ["Authentication"],
      summary: "A new access token from the refresh-token cookie",
      security: [{ [REFRESH_COOKIE_SCHEME]: [] }],
      responses: { 200: { description: "A new access token", content: json(AccessToken) }, ...errorResponses(401, 429, 503) },
    }),
    async (c) => {
      const cookie = getCookie(c, REFRESH_COOKIE);
      if (!cookie) {
        challenge(c);
        throw new UnauthorizedError("No refresh-token cookie: sign in with POST /login.");
      }
      const refresh = await tokens.verify(cookie, "refresh");
      const caller = await loadCaller(db, refresh.userId, refresh.jti);
      return c.json(await accessTokenFor(caller.id), 200);
    },
  );

  app.openapi(
    createRoute({
      method: "post",
      path: "/logout",
      tags: ["Authentication"],
      summary: "Sign out: revoke the access token and the refresh token",
      description: "Revokes every valid token given (the bearer access token, the refresh-token cookie) and clears the cookie. 401 when neither is valid.",
      security: [{ [BEARER]: [] }, { [REFRESH_COOKIE_SCHEME]: [] }],
      responses: { 204: { description: "Signed out" }, ...errorResponses(401, 429, 503) },
    }),
    async (c) => {
      const given: [string | undefined, "access" | "refresh"][] = [
        [safely(() => bearerToken(c.req.header("authorization"))), "access"],
        [getCookie(c, REFRESH_COOKIE), "refresh"],
      ];
      const revocable: Revocable[] = [];
      for (const [token, type] of given) {
        if (token === undefined) continue;
        const verified = await tokens.verify(token, type).catch(() => undefined);
        if (verified) revocable.push(verified);
      }
      deleteCookie(c, REFRESH_COOKIE, { path: "/", secure: true, httpOnly: true, sameSite: "Strict" });
      if (!revocable.length) {
        challenge(c);
        throw new UnauthorizedError("Nothing to sign out: no valid access token or refresh-token cookie was sent.");
      }
      await revokeTokens(db, revocable, new Date(tokens.now()));
      return c.body(null, 204);
    },
  );

  return app;
}

function safely<T>(get: () => T): T | undefined {
  try {
    return get();
  } catch {
    return undefined;
  }
}
