-- Rolls back 20261126051300_index_post_category_id.
DROP INDEX CONCURRENTLY "post_category_id_idx";
