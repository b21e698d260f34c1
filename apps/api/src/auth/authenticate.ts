// Reads `Authorization: Bearer <access token>` on every request and sets `caller`: the user, or
// undefined for an anonymous request. A token that is present but bad (malformed, expired, revoked,
// its user deleted) is a 401 even on a public route: the client believes it is signed in and is not.
import type { PrismaClient } from "@repo/db/client";
import type { Context, MiddlewareHandler } from "hono";
import type { AppEnv } from "../app-env.ts";
import { loadCaller } from "./caller.ts";
import { UnauthorizedError } from "./errors.ts";
import type { Tokens } from "./tokens.ts";

export interface AuthenticateOptions {
  db: PrismaClient;
  tokens: Tokens;
  /** Paths that ignore the header (probes; the token routes read tokens themselves). */
  skip: ReadonlySet<string>;
}

/** The `WWW-Authenticate` challenge of a 401 (RFC 6750). */
export function challenge(c: Context<AppEnv>, error?: "invalid_token"): void {
  c.header("WWW-Authenticate", error ? `Bearer realm="api", error="${error}"` : 'Bearer realm="api"');
}

/** The bearer token of the request, undefined without one; throws for another scheme or a blank token. */
export function bearerToken(header: string | undefined): string | undefined {
  if (header === undefined) return undefined;
  const match = /^Bearer[ ]+(\S+)\s*$/i.exec(header);
  if (!match) throw new UnauthorizedError("The Authorization header must be `Bearer <access token>`.");
  return match[1];
}

export function authenticate(options: AuthenticateOptions): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    c.set("caller", undefined);
    if (options.skip.has(c.req.path)) return next();
    try {
      const token = bearerToken(c.req.header("authorization"));
      if (token !== undefined) {
        const verified = await options.tokens.verify(token, "access");
        c.set("caller", await loadCaller(options.db, verified.userId, verified.jti));
      }
    } catch (error) {
      if (error instanceof UnauthorizedError) challenge(c, "invalid_token");
      throw error;
    }
    return next();
  };
}
