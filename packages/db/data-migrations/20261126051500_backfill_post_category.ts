// The seed's data migration: every existing post gets the "General" category, in committed batches
// that resume after a crash, before 20261126051600_post_category_not_null makes the column required.
import { defineDataMigration } from "@repo/migrate";
import type { PrismaClient } from "../src/client.ts";

const GENERAL = { name: "General", slug: "general", description: "Default category" };

export default defineDataMigration<PrismaClient>({
  anchor: "20261126051400_validate_post_category_fk",
  transaction: false,
  async up({ client, batch, log }) {
    // Outside the batches, so it runs again on a resume: an upsert is idempotent.
    const general = await client.category.upsert({ where: { slug: GENERAL.slug }, update: {}, create: GENERAL });
    const result = await batch({
      table: "post",
      key: "id",
      where: "category_id IS NULL",
      async apply(tx, range) {
        const updated = await tx.query("UPDATE post SET category_id = $1 WHERE id > COALESCE($2::int, 0) AND id <= $3::int AND category_id IS NULL", [
          general.id,
          range.after,
          range.upTo,
        ]);
        return updated.rowCount ?? 0;
      },
    });
    log.info(`Posts moved to "${GENERAL.name}": ${result.rows} in ${result.batches} batches`);
  },
  async down({ sql, batch }) {
    const { rows } = await sql.query<{ id: number }>("SELECT id FROM category WHERE slug = $1", [GENERAL.slug]);
    const general = rows[0];
    if (!general) return;
    // Posts in "General" go back to no category (posts put there by hand too: it cannot tell them apart).
    await batch({
      table: "post",
      key: "id",
      where: `category_id = ${Number(general.id)}`,
      async apply(tx, range) {
        const updated = await tx.query("UPDATE post SET category_id = NULL WHERE id > COALESCE($2::int, 0) AND id <= $3::int AND category_id = $1", [general.id, range.after, range.upTo]);
        return updated.rowCount ?? 0;
      },
    });
    await sql.query("DELETE FROM category WHERE id = $1 AND NOT EXISTS (SELECT 1 FROM post WHERE category_id = $1)", [general.id]);
  },
});
