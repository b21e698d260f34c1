import { describe, expect, it } from "vitest";
import { splitStatements } from "./split.ts";

async function only(sql: string) {
  const statements = await splitStatements(sql);
  expect(statements).toHaveLength(1);
  return statements[0];
}

async function refusal(sql: string): Promise<string | undefined> {
  const statement = await only(sql);
  expect(statement?.transactional).toBe(false);
  return statement?.reason;
}

async function expectTransactional(sql: string) {
  const statement = await only(sql);
  expect(statement).toMatchObject({ transactional: true });
  expect(statement?.reason).toBeUndefined();
  return statement;
}

describe("statements PostgreSQL refuses inside a transaction block", () => {
  it("CREATE INDEX CONCURRENTLY, but not CREATE INDEX", async () => {
    expect(await refusal("CREATE INDEX CONCURRENTLY i ON t (a)")).toBe("CREATE INDEX CONCURRENTLY cannot run inside a transaction block");
    expect(await refusal("CREATE UNIQUE INDEX CONCURRENTLY IF NOT EXISTS i ON t (a)")).toMatch(/CREATE INDEX CONCURRENTLY/);
    await expectTransactional("CREATE INDEX i ON t (a)");
  });

  it("DROP INDEX CONCURRENTLY, but not DROP INDEX", async () => {
    expect(await refusal("DROP INDEX CONCURRENTLY IF EXISTS i")).toBe("DROP INDEX CONCURRENTLY cannot run inside a transaction block");
    await expectTransactional("DROP INDEX i");
    await expectTransactional("DROP TABLE t");
  });

  it("REINDEX … CONCURRENTLY in both spellings, but not REINDEX (CONCURRENTLY false)", async () => {
    expect(await refusal("REINDEX INDEX CONCURRENTLY i")).toMatch(/^REINDEX … CONCURRENTLY cannot/);
    expect(await refusal("REINDEX (CONCURRENTLY) TABLE t")).toMatch(/^REINDEX … CONCURRENTLY cannot/);
    expect((await expectTransactional("REINDEX (CONCURRENTLY false) TABLE t"))?.note).toMatch(/partitioned/);
  });

  it("REINDEX SCHEMA, DATABASE and SYSTEM", async () => {
    for (const sql of ["REINDEX SCHEMA public", "REINDEX DATABASE", "REINDEX SYSTEM app"]) {
      expect(await refusal(sql)).toMatch(/REINDEX SCHEMA, DATABASE and SYSTEM/);
    }
  });

  it("VACUUM in every form, but not ANALYZE", async () => {
    expect(await refusal("VACUUM")).toBe("VACUUM cannot run inside a transaction block");
    expect(await refusal("VACUUM (ANALYZE, VERBOSE) t")).toBe("VACUUM cannot run inside a transaction block");
    expect(await refusal("VACUUM FULL t")).toBe("VACUUM cannot run inside a transaction block");
    await expectTransactional("ANALYZE t");
  });

  it("CLUSTER without a table; CLUSTER of a table runs, with a note on partitioned tables", async () => {
    expect(await refusal("CLUSTER")).toMatch(/CLUSTER without a table name/);
    expect((await expectTransactional("CLUSTER t USING t_pkey"))?.note).toMatch(/partitioned/);
  });

  it("database, tablespace and system commands", async () => {
    expect(await refusal("CREATE DATABASE app")).toBe("CREATE DATABASE cannot run inside a transaction block");
    expect(await refusal("DROP DATABASE IF EXISTS app")).toBe("DROP DATABASE cannot run inside a transaction block");
    expect(await refusal("ALTER DATABASE app SET TABLESPACE fast")).toMatch(/SET TABLESPACE/);
    await expectTransactional("ALTER DATABASE app SET work_mem = '64MB'");
    expect(await refusal("CREATE TABLESPACE fast LOCATION '/ssd'")).toMatch(/CREATE TABLESPACE/);
    expect(await refusal("DROP TABLESPACE fast")).toMatch(/DROP TABLESPACE/);
    expect(await refusal("ALTER SYSTEM SET work_mem = '64MB'")).toMatch(/ALTER SYSTEM/);
    expect(await refusal("DISCARD ALL")).toMatch(/DISCARD ALL/);
    await expectTransactional("DISCARD PLANS");
  });

  it("subscriptions that create, refresh or drop a replication slot", async () => {
    expect(await refusal("CREATE SUBSCRIPTION s CONNECTION 'host=a' PUBLICATION p")).toMatch(/create_slot/);
    await expectTransactional("CREATE SUBSCRIPTION s CONNECTION 'host=a' PUBLICATION p WITH (create_slot = false)");
    await expectTransactional("CREATE SUBSCRIPTION s CONNECTION 'host=a' PUBLICATION p WITH (connect = false)");
    expect(await refusal("ALTER SUBSCRIPTION s REFRESH PUBLICATION")).toMatch(/REFRESH PUBLICATION/);
    expect(await refusal("ALTER SUBSCRIPTION s ADD PUBLICATION q")).toMatch(/with refresh/);
    await expectTransactional("ALTER SUBSCRIPTION s SET PUBLICATION q WITH (refresh = false)");
    expect(await refusal("ALTER SUBSCRIPTION s SET (failover = true)")).toMatch(/failover/);
    await expectTransactional("ALTER SUBSCRIPTION s DISABLE");
    expect(await refusal("DROP SUBSCRIPTION s")).toMatch(/DROP SUBSCRIPTION/);
  });

  it("creating a logical replication slot through its SQL function", async () => {
    expect(await refusal("SELECT * FROM pg_catalog.pg_create_logical_replication_slot('s', 'pgoutput')")).toMatch(/logical replication slot/);
    await expectTransactional("SELECT pg_drop_replication_slot('s')");
  });

  it("ALTER TABLE … DETACH PARTITION CONCURRENTLY, but not a plain DETACH", async () => {
    expect(await refusal("ALTER TABLE p DETACH PARTITION p1 CONCURRENTLY")).toMatch(/DETACH PARTITION … CONCURRENTLY/);
    await expectTransactional("ALTER TABLE p DETACH PARTITION p1");
  });

  it("a DO block that commits, but not one that only mentions the word", async () => {
    const batched = "DO $$ BEGIN LOOP UPDATE t SET a = 1 WHERE a IS NULL; EXIT WHEN NOT FOUND; COMMIT; END LOOP; END $$";
    expect(await refusal(batched)).toMatch(/DO block that commits/);
    await expectTransactional("DO $$ BEGIN RAISE NOTICE 'commit; rollback'; END $$");
  });

  it("explicit transaction control, reported so the engine can refuse or respect it", async () => {
    const statements = await splitStatements("BEGIN;\nSTART TRANSACTION;\nSAVEPOINT a;\nROLLBACK TO a;\nCOMMIT;\nROLLBACK;");
    expect(statements.map((s) => [s.kind, s.transactional, s.reason])).toEqual(
      Array.from({ length: 6 }, () => ["TransactionStmt", false, "explicit transaction control"]),
    );
  });
});

describe("statements that run in a transaction with a caveat", () => {
  it("ALTER TYPE … ADD VALUE is transactional, with a note that the value is unusable until commit", async () => {
    const statement = await expectTransactional("ALTER TYPE \"Role\" ADD VALUE IF NOT EXISTS 'ADMIN'");
    expect(statement?.note).toMatch(/cannot be used before that transaction commits/);
    expect((await expectTransactional("ALTER TYPE \"Role\" RENAME VALUE 'A' TO 'B'"))?.note).toBeUndefined();
  });

  it("CALL and LOCK TABLE carry notes", async () => {
    expect((await expectTransactional("CALL backfill()"))?.note).toMatch(/procedure that commits/);
    expect((await expectTransactional("LOCK TABLE t IN ACCESS EXCLUSIVE MODE"))?.note).toMatch(/LOCK TABLE/);
  });
});

describe("a realistic Prisma migration", () => {
  it("is all transactional", async () => {
    const migration = `-- CreateEnum
CREATE TYPE "Role" AS ENUM ('USER', 'ADMIN');

-- CreateTable
CREATE TABLE "User" (
    "id" SERIAL NOT NULL,
    "email" TEXT NOT NULL,
    "name" TEXT,
    "role" "Role" NOT NULL DEFAULT 'USER',
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "User_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Post" (
    "id" SERIAL NOT NULL,
    "title" TEXT NOT NULL,
    "content" TEXT,
    "published" BOOLEAN NOT NULL DEFAULT false,
    "authorId" INTEGER NOT NULL,

    CONSTRAINT "Post_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "User_email_key" ON "User"("email");

-- CreateIndex
CREATE INDEX "Post_authorId_idx" ON "Post"("authorId");

-- AddForeignKey
ALTER TABLE "Post" ADD CONSTRAINT "Post_authorId_fkey" FOREIGN KEY ("authorId") REFERENCES "User"("id") ON DELETE RESTRICT ON UPDATE CASCADE;
`;
    const statements = await splitStatements(migration);
    expect(statements.map((s) => [s.line, s.kind, s.transactional])).toEqual([
      [2, "CreateEnumStmt", true],
      [5, "CreateStmt", true],
      [16, "CreateStmt", true],
      [27, "IndexStmt", true],
      [30, "IndexStmt", true],
      [33, "AlterTableStmt", true],
    ]);
    expect(statements.every((s) => s.reason === undefined && s.note === undefined)).toBe(true);
    expect(statements[5]?.sql).toBe(
      'ALTER TABLE "Post" ADD CONSTRAINT "Post_authorId_fkey" FOREIGN KEY ("authorId") REFERENCES "User"("id") ON DELETE RESTRICT ON UPDATE CASCADE',
    );
  });
});
