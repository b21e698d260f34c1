// Who may call a route: everyone, any signed-in user, or superusers only; and, for routes on one row,
// whether a signed-in user owns it (themself, their post). Checked in route middleware, before the
// request is validated, so a stranger learns nothing from validation errors. Superusers pass every check.
import type { Context, MiddlewareHandler } from "hono";
import type { AppEnv } from "../app-env.ts";
import { IdParams } from "../schemas/fields.ts";
import { challenge } from "./authenticate.ts";
import type { Caller } from "./caller.ts";
import { ForbiddenError, UnauthorizedError } from "./errors.ts";

export type Access = "public" | "user" | "superuser";

/** The signed-in caller; a 401 (with its challenge) when anonymous. */
export function requireCaller(c: Context<AppEnv>): Caller {
  const caller = c.get("caller");
  if (!caller) {
    challenge(c);
    throw new UnauthorizedError();
  }
  return caller;
}

/** Route middleware enforcing `access`. */
export function requireAccess(access: Access, what: string): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    if (access !== "public") {
      const caller = requireCaller(c);
      if (access === "superuser" && !caller.isSuperuser) throw new ForbiddenError(`Only superusers may ${what}.`);
    }
    return next();
  };
}

/**
 * Route middleware for `/things/{id}`: a caller who is not a superuser passes only when `owns` says the
 * row is theirs. A malformed id is left to the validator (422).
 */
export function requireOwner(owns: (caller: Caller, id: number) => Promise<boolean>, what: string): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const caller = requireCaller(c);
    const parsed = IdParams.safeParse(c.req.param());
    if (!caller.isSuperuser && parsed.success && !(await owns(caller, parsed.data.id))) throw new ForbiddenError(what);
    return next();
  };
}
