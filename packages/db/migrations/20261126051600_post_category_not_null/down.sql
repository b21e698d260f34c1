-- Rolls back 20261126051600_post_category_not_null.
ALTER TABLE "post" ALTER COLUMN "category_id" DROP NOT NULL;
