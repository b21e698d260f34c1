-- The index for post.category_id, built without blocking writes. CONCURRENTLY cannot run in a
-- transaction: the migrator runs this migration statement by statement (and rebuilds the index if an
-- earlier build left it INVALID).
-- CreateIndex
CREATE INDEX CONCURRENTLY "post_category_id_idx" ON "post"("category_id");
