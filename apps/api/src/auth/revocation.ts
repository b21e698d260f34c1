// Logout: a token's id goes into token_blacklist until the token would have expired anyway; rows past
// that are deleted on the way (they can match no token that still verifies).
import type { PrismaClient } from "@repo/db/client";

export interface Revocable {
  jti: string;
  expiresAt: Date;
}

/** Records the tokens as revoked (revoking one twice is fine) and purges expired records. */
export async function revokeTokens(db: PrismaClient, tokens: Revocable[], now: Date): Promise<void> {
  await db.tokenBlacklist.createMany({ data: tokens.map(({ jti, expiresAt }) => ({ jti, expiresAt })), skipDuplicates: true });
  await db.tokenBlacklist.deleteMany({ where: { expiresAt: { lt: now } } });
}
