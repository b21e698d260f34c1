// Every resource the API serves. Adding one is a file beside this one (see tiers.ts) and a line here.
import { categories } from "./categories.ts";
import { posts } from "./posts.ts";
import { rateLimits } from "./rate-limits.ts";
import type { Resource } from "./resource.ts";
import { tiers } from "./tiers.ts";
import { users } from "./users.ts";

export const resources: Resource[] = [users, posts, categories, tiers, rateLimits];
