// The development seed: tiers, a first superuser from the environment, a few sample posts. Idempotent:
// each part is created only when missing, so `pnpm dev` can run it on every start without duplicating
// anything or overwriting what a developer changed. Never prints a password.
import { randomBytes } from "node:crypto";
import type { PrismaClient } from "@repo/db/client";
import { ConfigError } from "../config.ts";
import { DEFAULT_SCRYPT, hashPassword, type ScryptParams } from "../passwords.ts";
import { UserCreate } from "../routes/users.ts";

export const SEED_TIERS = ["free", "pro"];
export const SAMPLE_POSTS = 5;

export interface SeedAdmin {
  name: string;
  username: string;
  email: string;
  /** Unset: a random one nobody knows (set ADMIN_PASSWORD before the first run to choose it). */
  password: string | undefined;
}

/** The first superuser from ADMIN_NAME, ADMIN_USERNAME, ADMIN_EMAIL and ADMIN_PASSWORD, checked as the API checks a new user. */
export function adminFromEnv(env: NodeJS.ProcessEnv = process.env): SeedAdmin {
  const given = (name: string) => (env[name]?.trim() ? env[name] : undefined);
  const admin = { name: given("ADMIN_NAME") ?? "Admin", username: given("ADMIN_USERNAME") ?? "admin", email: given("ADMIN_EMAIL") ?? "admin@example.com" };
  const password = given("ADMIN_PASSWORD");
  const parsed = UserCreate.pick({ name: true, username: true, email: true, password: true }).safeParse({ ...admin, password: password ?? "placeholder" });
  if (!parsed.success) {
    const names: Record<string, string> = { name: "ADMIN_NAME", username: "ADMIN_USERNAME", email: "ADMIN_EMAIL", password: "ADMIN_PASSWORD" };
    throw new ConfigError(parsed.error.issues.map((issue) => `${names[String(issue.path[0])] ?? "ADMIN_*"}: ${issue.message}`));
  }
  return { ...admin, password };
}

export interface SeedReport {
  tiersCreated: string[];
  admin: { username: string; created: boolean; randomPassword: boolean };
  postsCreated: number;
}

const SAMPLE_TEXTS = [
  ["Welcome", "This API was seeded by `pnpm dev`. Edit or delete these posts freely."],
  ["Migrations", "Schema changes go through `pnpm db:migrate dev --name <what_changed>`."],
  ["Readiness", "GET /ready answers 200 once every migration of this build is applied."],
  ["Pagination", "Lists take ?limit and ?cursor; follow nextCursor to the next page."],
  ["Docs", "The OpenAPI document is at /openapi.json and Swagger UI at /docs."],
] as const;

/** Seeds what is missing. Safe to run again: existing rows are left exactly as they are. */
export async function seed(db: PrismaClient, admin: SeedAdmin, scrypt: ScryptParams = DEFAULT_SCRYPT): Promise<SeedReport> {
  const existingTiers = new Set((await db.tier.findMany({ select: { name: true }, where: { name: { in: SEED_TIERS } } })).map((tier) => tier.name));
  const tiersCreated = SEED_TIERS.filter((name) => !existingTiers.has(name));
  await db.tier.createMany({ data: tiersCreated.map((name) => ({ name })), skipDuplicates: true });
  const free = await db.tier.findUniqueOrThrow({ select: { id: true }, where: { name: "free" } });

  let superuser = await db.user.findFirst({ select: { id: true, username: true }, where: { OR: [{ username: admin.username }, { email: admin.email }] } });
  const created = !superuser;
  if (!superuser) {
    const password = admin.password ?? randomBytes(24).toString("base64url");
    superuser = await db.user.create({
      select: { id: true, username: true },
      data: { name: admin.name, username: admin.username, email: admin.email, hashedPassword: await hashPassword(password, scrypt), isSuperuser: true, tierId: free.id },
    });
  }

  let postsCreated = 0;
  if ((await db.post.count({ where: { createdByUserId: superuser.id } })) === 0) {
    const general = await db.category.upsert({ where: { slug: "general" }, update: {}, create: { name: "General", slug: "general", description: "Default category" } });
    const { count } = await db.post.createMany({
      data: SAMPLE_TEXTS.slice(0, SAMPLE_POSTS).map(([title, text]) => ({ title, text, createdByUserId: superuser.id, categoryId: general.id })),
    });
    postsCreated = count;
  }
  return { tiersCreated, admin: { username: superuser.username, created, randomPassword: created && admin.password === undefined }, postsCreated };
}

/** One line per part, for the terminal. */
export function describeSeed(report: SeedReport): string {
  const tiers = report.tiersCreated.length ? `created ${report.tiersCreated.join(", ")}` : "already there";
  const admin = report.admin.created
    ? `created ${report.admin.username}${report.admin.randomPassword ? " with a random password (set ADMIN_PASSWORD before the first run to choose one)" : ""}`
    : `${report.admin.username} already there (left unchanged)`;
  const posts = report.postsCreated ? `created ${report.postsCreated}` : "already there";
  return ["Seed", `  Tiers       ${tiers}`, `  Superuser   ${admin}`, `  Posts       ${posts}`, ""].join("\n");
}
