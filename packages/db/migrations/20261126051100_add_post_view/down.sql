-- Rolls back 20261126051100_add_post_view.
DROP TABLE "post_view";
