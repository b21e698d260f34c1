-- Rolls back 20261126051700_rename_rate_limit_period.
ALTER TABLE "rate_limit" RENAME COLUMN "period_seconds" TO "period";
