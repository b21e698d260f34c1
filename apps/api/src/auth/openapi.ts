// How the OpenAPI document describes authentication: a bearer JWT scheme for the API's routes and a
// cookie scheme for the refresh token, and each route's `security` from its access level.
import type { OpenAPIHono } from "@hono/zod-openapi";
import type { AppEnv } from "../app-env.ts";
import type { Access } from "./access.ts";

export const BEARER = "bearerAuth";
export const REFRESH_COOKIE_SCHEME = "refreshCookie";
export const REFRESH_COOKIE = "refresh_token";

export function registerSecuritySchemes(app: OpenAPIHono<AppEnv>): void {
  app.openAPIRegistry.registerComponent("securitySchemes", BEARER, {
    type: "http",
    scheme: "bearer",
    bearerFormat: "JWT",
    description: "The access token from POST /login or POST /refresh, in `Authorization: Bearer <token>`.",
  });
  app.openAPIRegistry.registerComponent("securitySchemes", REFRESH_COOKIE_SCHEME, {
    type: "apiKey",
    in: "cookie",
    name: REFRESH_COOKIE,
    description: "The refresh token POST /login sets (httpOnly, Secure, SameSite=Strict).",
  });
}

/** A route's `security`: none for public routes (a token is still read, for the caller's rate limits), the bearer scheme otherwise. */
export const securityFor = (access: Access): Record<string, string[]>[] => (access === "public" ? [{}, { [BEARER]: [] }] : [{ [BEARER]: [] }]);
