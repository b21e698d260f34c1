-- migrate: transaction=false
-- The contract step: post.category_id becomes required, the safe way. A CHECK added NOT VALID is
-- instant; VALIDATE scans without blocking writes; SET NOT NULL then trusts the valid CHECK
-- (PostgreSQL 12+) instead of scanning under an exclusive lock. Each statement commits on its own,
-- so no lock is held across the scan. Runs after the backfill (anchored to the previous migration).
ALTER TABLE "post" ADD CONSTRAINT "post_category_id_not_null" CHECK ("category_id" IS NOT NULL) NOT VALID;
ALTER TABLE "post" VALIDATE CONSTRAINT "post_category_id_not_null";
ALTER TABLE "post" ALTER COLUMN "category_id" SET NOT NULL;
ALTER TABLE "post" DROP CONSTRAINT "post_category_id_not_null";
