-- Rolls back 20261126051200_add_post_category_id (the foreign key goes with the column).
ALTER TABLE "post" DROP COLUMN "category_id";
