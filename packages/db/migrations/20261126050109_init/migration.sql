-- CreateTable
CREATE TABLE "user" (
    "id" SERIAL NOT NULL,
    "name" VARCHAR(30) NOT NULL,
    "username" VARCHAR(20) NOT NULL,
    "email" VARCHAR(50) NOT NULL,
    "hashed_password" TEXT NOT NULL,
    "profile_image_url" TEXT NOT NULL DEFAULT 'https://profileimageurl.com',
    "uuid" UUID NOT NULL,
    "created_at" TIMESTAMPTZ(6) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(6),
    "deleted_at" TIMESTAMPTZ(6),
    "is_deleted" BOOLEAN NOT NULL DEFAULT false,
    "is_superuser" BOOLEAN NOT NULL DEFAULT false,
    "tier_id" INTEGER,

    CONSTRAINT "user_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "post" (
    "id" SERIAL NOT NULL,
    "created_by_user_id" INTEGER NOT NULL,
    "title" VARCHAR(30) NOT NULL,
    "text" VARCHAR(63206) NOT NULL,
    "uuid" UUID NOT NULL,
    "media_url" TEXT,
    "created_at" TIMESTAMPTZ(6) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(6),
    "deleted_at" TIMESTAMPTZ(6),
    "is_deleted" BOOLEAN NOT NULL DEFAULT false,

    CONSTRAINT "post_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "tier" (
    "id" SERIAL NOT NULL,
    "name" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(6) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(6),

    CONSTRAINT "tier_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "rate_limit" (
    "id" SERIAL NOT NULL,
    "tier_id" INTEGER NOT NULL,
    "name" TEXT NOT NULL,
    "path" TEXT NOT NULL,
    "limit" INTEGER NOT NULL,
    "period" INTEGER NOT NULL,
    "created_at" TIMESTAMPTZ(6) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(6),

    CONSTRAINT "rate_limit_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "user_username_key" ON "user"("username");

-- CreateIndex
CREATE UNIQUE INDEX "user_email_key" ON "user"("email");

-- CreateIndex
CREATE UNIQUE INDEX "user_uuid_key" ON "user"("uuid");

-- CreateIndex
CREATE INDEX "user_is_deleted_idx" ON "user"("is_deleted");

-- CreateIndex
CREATE INDEX "user_tier_id_idx" ON "user"("tier_id");

-- CreateIndex
CREATE UNIQUE INDEX "post_uuid_key" ON "post"("uuid");

-- CreateIndex
CREATE INDEX "post_created_by_user_id_idx" ON "post"("created_by_user_id");

-- CreateIndex
CREATE INDEX "post_is_deleted_idx" ON "post"("is_deleted");

-- CreateIndex
CREATE UNIQUE INDEX "tier_name_key" ON "tier"("name");

-- CreateIndex
CREATE UNIQUE INDEX "rate_limit_name_key" ON "rate_limit"("name");

-- CreateIndex
CREATE INDEX "rate_limit_tier_id_idx" ON "rate_limit"("tier_id");

-- AddForeignKey
ALTER TABLE "user" ADD CONSTRAINT "user_tier_id_fkey" FOREIGN KEY ("tier_id") REFERENCES "tier"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "post" ADD CONSTRAINT "post_created_by_user_id_fkey" FOREIGN KEY ("created_by_user_id") REFERENCES "user"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "rate_limit" ADD CONSTRAINT "rate_limit_tier_id_fkey" FOREIGN KEY ("tier_id") REFERENCES "tier"("id") ON DELETE CASCADE ON UPDATE CASCADE;
