-- The seed's "Renaming Columns". Prisma generates a rename as DROP COLUMN + ADD COLUMN, losing every
-- value; RENAME COLUMN keeps them. The unit is seconds: the new name says so.
ALTER TABLE "rate_limit" RENAME COLUMN "period" TO "period_seconds";
