// Who is calling: the user behind a verified access token, read fresh from the database on each
// request (one query, which also checks that the token was not revoked), so a deleted user, a
// superuser flag taken away or a tier changed take effect at once, not when the token expires.
import type { PrismaClient } from "@repo/db/client";
import { UnauthorizedError } from "./errors.ts";

export interface Caller {
  id: number;
  isSuperuser: boolean;
  tierId: number | null;
}

/**
 * The live user `userId`, provided token `jti` is not revoked. Throws an UnauthorizedError when the
 * token was revoked (logout) or the user no longer exists.
 */
export async function loadCaller(db: PrismaClient, userId: number, jti: string): Promise<Caller> {
  const rows = await db.$queryRaw<{ id: number; isSuperuser: boolean; tierId: number | null; revoked: boolean }[]>`
    SELECT u.id, u.is_superuser AS "isSuperuser", u.tier_id AS "tierId",
           EXISTS (SELECT 1 FROM token_blacklist b WHERE b.jti = ${jti}::uuid) AS revoked
      FROM "user" u
     WHERE u.id = ${userId} AND NOT u.is_deleted`;
  const row = rows[0];
  if (!row) throw new UnauthorizedError("The token's user no longer exists: sign in again.");
  if (row.revoked) throw new UnauthorizedError("The token was revoked (signed out): sign in again.");
  return { id: row.id, isSuperuser: row.isSuperuser, tierId: row.tierId };
}
