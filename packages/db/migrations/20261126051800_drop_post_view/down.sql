-- Rolls back 20261126051800_drop_post_view: the table as 20261126051100_add_post_view made it (empty).
CREATE TABLE "post_view" (
    "id" BIGSERIAL NOT NULL,
    "post_id" INTEGER NOT NULL,
    "viewed_at" TIMESTAMPTZ(6) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "post_view_pkey" PRIMARY KEY ("id")
);

CREATE INDEX "post_view_post_id_idx" ON "post_view"("post_id");

ALTER TABLE "post_view" ADD CONSTRAINT "post_view_post_id_fkey" FOREIGN KEY ("post_id") REFERENCES "post"("id") ON DELETE CASCADE ON UPDATE CASCADE;
