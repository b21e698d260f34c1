-- Checks the existing rows against the foreign key added NOT VALID. VALIDATE CONSTRAINT takes a
-- SHARE UPDATE EXCLUSIVE lock: reads and writes of post go on meanwhile.
ALTER TABLE "post" VALIDATE CONSTRAINT "post_category_id_fkey";
