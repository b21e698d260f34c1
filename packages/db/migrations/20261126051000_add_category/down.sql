-- Rolls back 20261126051000_add_category.
DROP TABLE "category";
