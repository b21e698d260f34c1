// Batched data migrations under the real migrator process: SIGKILL at random points of a 1M-row
// backfill, rerun each time, and every row is processed exactly once; SIGTERM stops within 5 s after
// the current batch with the "interrupted, resumable" exit code, and a rerun finishes the work.
import { writeFile } from "node:fs/promises";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { project, waitFor, type Project } from "./helpers.ts";

const SCHEMA = "20240101000000_items";
const BACKFILL = "20240101000001_count_items";

/** items(id, processed): the data migration adds 1 to `processed` of every row, once. */
async function backfillProject(rows: number): Promise<Project> {
  const p = await project();
  await p.write(SCHEMA, "CREATE TABLE items (id bigint PRIMARY KEY, processed int NOT NULL DEFAULT 0);\n");
  expect((await p.run(["deploy"])).code).toBe(0);
  await p.sql(`INSERT INTO items (id) SELECT generate_series(1, ${rows})`);
  await writeFile(
    path.join(p.root, "data-migrations", `${BACKFILL}.ts`),
    `export default {
  anchor: "${SCHEMA}",
  transaction: false,
  async up({ batch }) {
    await batch({
      table: "items",
      key: "id",
      async apply(tx, range) {
        const result = await tx.query("UPDATE items SET processed = processed + 1 WHERE id > COALESCE($1::bigint, 0) AND id <= $2::bigint", [range.after, range.upTo]);
        return result.rowCount ?? 0;
      },
    });
  },
};
`,
  );
  return p;
}

const rowsDone = async (p: Project) => Number((await p.sql<{ n: string }>("SELECT COALESCE(max(rows_done), 0)::text AS n FROM _data_migrations"))[0]?.n ?? 0);

describe("a batched backfill under the migrator process", () => {
  it("SIGKILLed at 20 random points of a 1M-row backfill and rerun each time, processes every row exactly once", async () => {
    const ROWS = 1_000_000;
    const p = await backfillProject(ROWS);
    // 20 random points, as row counts the backfill must have committed before the kill.
    const points = Array.from({ length: 20 }, () => Math.floor(Math.random() * ROWS * 0.95)).sort((a, b) => a - b);
    let kills = 0;
    for (const point of points) {
      const run = p.start(["deploy"]);
      const reached = await waitFor(`${point} rows committed (or the run ending)`, async () => ((await rowsDone(p)) >= point ? "reached" : run.child.exitCode !== null ? "ended" : undefined), 120_000);
      if (reached === "ended") break;
      run.child.kill("SIGKILL");
      const result = await run.done;
      if (result.signal === "SIGKILL") kills += 1;
    }
    expect(kills).toBeGreaterThanOrEqual(15);
    const last = await p.run(["deploy"]);
    expect(last.code, last.stderr).toBe(0);
    expect(await p.sql("SELECT processed, count(*)::int AS n FROM items GROUP BY processed")).toEqual([{ processed: 1, n: ROWS }]);
    expect(await p.sql("SELECT status, rows_done::int AS rows FROM _data_migrations WHERE rolled_back_at IS NULL")).toEqual([{ status: "applied", rows: ROWS }]);
  });

  it("SIGTERM stops within 5 s after the current batch with exit 75, status shows the progress, and a rerun finishes", async () => {
    const ROWS = 300_000;
    const p = await backfillProject(ROWS);
    const run = p.start(["deploy"]);
    await waitFor("the first committed batch", async () => (await rowsDone(p)) > 0, 60_000);
    const signalled = Date.now();
    run.child.kill("SIGTERM");
    const result = await run.done;
    expect(Date.now() - signalled).toBeLessThan(5_000);
    expect(result.code, result.stderr).toBe(75);
    expect(result.stderr).toContain("Run the same deploy again to continue where it stopped.");

    const status = await p.run(["status", "--json"]);
    const entry = (JSON.parse(status.stdout.trim().split("\n").at(-1) ?? "{}") as { migrations: { name: string; state: string; progress: { rowsDone: number } | null }[] }).migrations.find((m) => m.name === BACKFILL);
    expect(entry?.state).toBe("interrupted");
    expect(entry?.progress?.rowsDone).toBeGreaterThan(0);
    expect((await p.run(["status", "--check"])).code).toBe(3);

    const rerun = await p.run(["deploy"]);
    expect(rerun.code, rerun.stderr).toBe(0);
    expect(await p.sql("SELECT processed, count(*)::int AS n FROM items GROUP BY processed")).toEqual([{ processed: 1, n: ROWS }]);
  });
});
