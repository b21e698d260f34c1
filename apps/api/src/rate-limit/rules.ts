// Which RateLimit rows a request counts against. A row's `path` covers the request path segment by
// segment as a prefix: `/posts` covers `/posts`, `/posts/7` and `/posts/7/anything`, but not
// `/postscript`; a segment written `{id}`, `:id` or `*` matches any one segment (`/users/{id}/posts`);
// `/` covers every path. Every matching row of the caller's tier counts the request, and the request
// is refused when any of them is spent. Rows are cached per tier for a few seconds (another replica's
// change shows within that time; this replica's own writes to /tiers and /rate-limits clear it at once).
import type { PrismaClient } from "@repo/db/client";
import type { Budget } from "./budget.ts";

export interface Rule extends Budget {
  id: number;
  name: string;
  path: string;
}

const segments = (path: string) => path.split("/").filter(Boolean);
const isParameter = (segment: string) => segment === "*" || /^\{[^/{}]+\}$/.test(segment) || /^:[^/]+$/.test(segment);

/** Whether a rule written for `rulePath` covers a request to `requestPath` (see the file's opening comment). */
export function covers(rulePath: string, requestPath: string): boolean {
  const rule = segments(rulePath);
  const request = segments(requestPath);
  if (rule.length > request.length) return false;
  return rule.every((segment, index) => isParameter(segment) || segment === request[index]);
}

export class TierRules {
  readonly #cache = new Map<number, { loaded: Promise<Rule[]>; at: number }>();

  constructor(
    private readonly db: PrismaClient,
    private readonly ttlMs = 5000,
    private readonly now: () => number = Date.now,
  ) {}

  /** The tier's rows covering `path`. */
  async matching(tierId: number, path: string): Promise<Rule[]> {
    return (await this.forTier(tierId)).filter((rule) => covers(rule.path, path));
  }

  forTier(tierId: number): Promise<Rule[]> {
    const cached = this.#cache.get(tierId);
    if (cached && this.now() - cached.at < this.ttlMs) return cached.loaded;
    const loaded = this.db.rateLimit
      .findMany({ select: { id: true, name: true, path: true, limit: true, period: true }, where: { tierId }, orderBy: { id: "asc" } })
      .then((rows) => rows.map(({ period, ...row }) => ({ ...row, periodSeconds: period })));
    // A failed load is not cached: the next request tries again.
    loaded.catch(() => this.#cache.delete(tierId));
    this.#cache.set(tierId, { loaded, at: this.now() });
    return loaded;
  }

  invalidate(): void {
    this.#cache.clear();
  }
}
