-- The seed's "Dropping Tables": page views moved to the analytics store. Its rows are gone for good;
-- down.sql recreates the table empty.
DROP TABLE "post_view";
