-- Rolls back 20261126051400_validate_post_category_fk: the foreign key, not validated again.
ALTER TABLE "post" DROP CONSTRAINT "post_category_id_fkey";
ALTER TABLE "post" ADD CONSTRAINT "post_category_id_fkey" FOREIGN KEY ("category_id") REFERENCES "category"("id") ON DELETE RESTRICT ON UPDATE CASCADE NOT VALID;
