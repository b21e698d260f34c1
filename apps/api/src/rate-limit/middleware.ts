// Counts each request against its budgets and answers 429 once one is spent. Budgets: the RateLimit
// rows of the caller's tier covering the path (rules.ts), else the configured default, per user when
// signed in, per address when anonymous. Every counted response carries the IETF RateLimit headers of
// its tightest budget (RateLimit-Limit, -Remaining, -Reset, -Policy); a 429 adds Retry-After.
import type { MiddlewareHandler } from "hono";
import type { AppEnv } from "../app-env.ts";
import { errorResponse } from "../errors/respond.ts";
import { policyOf, type Budget } from "./budget.ts";
import type { TierRules } from "./rules.ts";
import type { Outcome, RateLimitStore } from "./store.ts";

export interface RateLimitOptions {
  store: RateLimitStore;
  rules: TierRules;
  /** For anonymous callers, and callers whose tier has no row for the path; undefined: not limited. */
  defaultBudget: Budget | undefined;
  clientIp: (c: Parameters<MiddlewareHandler<AppEnv>>[0]) => string;
  /** Paths never counted (probes). */
  exempt: ReadonlySet<string>;
}

// Writes here change the rules: this replica drops its cache at once.
const RULE_PATHS = /^\/(tiers|rate-limits)(\/|$)/;

export function rateLimit(options: RateLimitOptions): MiddlewareHandler<AppEnv> {
  const counted = countRequest(options);
  return async (c, next) => {
    // A 429 comes back as a response (the route never ran); otherwise the route's response is in c.res.
    const refused = await counted(c, next);
    if (refused instanceof Response) return refused;
    if (c.req.method !== "GET" && c.res.status < 400 && RULE_PATHS.test(c.req.path)) options.rules.invalidate();
  };
}

function countRequest(options: RateLimitOptions): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    if (options.exempt.has(c.req.path) || c.req.method === "OPTIONS") {
      await next();
      return;
    }
    const caller = c.get("caller");
    const subject = caller ? `user:${caller.id}` : `ip:${options.clientIp(c)}`;
    const rules = caller?.tierId != null ? await options.rules.matching(caller.tierId, c.req.path) : [];
    const budgets: { key: string; budget: Budget; name: string }[] = rules.length
      ? rules.map((rule) => ({ key: `rule:${rule.id}:${subject}`, budget: rule, name: `rate limit "${rule.name}" (${rule.path})` }))
      : options.defaultBudget
        ? [{ key: `default:${subject}`, budget: options.defaultBudget, name: "the default rate limit" }]
        : [];
    if (!budgets.length) {
      await next();
      return;
    }

    const outcomes = await Promise.all(budgets.map(({ key, budget }) => options.store.consume(key, budget)));
    const refused = outcomes.findIndex((outcome) => !outcome.allowed);
    const tightest = refused >= 0 ? (outcomes[refused] as Outcome) : outcomes.reduce((a, b) => (b.remaining < a.remaining ? b : a));
    const headers: Record<string, string> = {
      "RateLimit-Limit": String(tightest.budget.limit),
      "RateLimit-Remaining": String(tightest.remaining),
      "RateLimit-Reset": String(tightest.resetSeconds),
      "RateLimit-Policy": outcomes.map((outcome) => policyOf(outcome.budget)).join(", "),
    };
    if (refused >= 0) {
      const { budget, name } = budgets[refused] as (typeof budgets)[number];
      for (const [name, value] of Object.entries(headers)) c.header(name, value);
      c.header("Retry-After", String(tightest.resetSeconds));
      return errorResponse(
        c,
        429,
        "RATE_LIMITED",
        `Too many requests: ${name} allows ${budget.limit} per ${budget.periodSeconds} s. Retry in ${tightest.resetSeconds} s.`,
      );
    }
    // Set before the route runs: Hono adds them as it builds the response (cheaper than editing it after).
    for (const [name, value] of Object.entries(headers)) c.header(name, value);
    await next();
  };
}
