-- The seed's "Adding Foreign Key", expand step: a nullable column, so existing posts stay valid until
-- the data migration 20261126051500_backfill_post_category fills it.
-- AlterTable
ALTER TABLE "post" ADD COLUMN "category_id" INTEGER;

-- AddForeignKey, NOT VALID: no scan of existing rows while ALTER TABLE holds its lock; validated by
-- 20261126051400_validate_post_category_fk.
ALTER TABLE "post" ADD CONSTRAINT "post_category_id_fkey" FOREIGN KEY ("category_id") REFERENCES "category"("id") ON DELETE RESTRICT ON UPDATE CASCADE NOT VALID;
