// /ready follows the migration state: 503 listing what is pending, failed, edited, missing or half-done,
// 200 once everything bundled with this build is applied. /health only says the process answers.
import { DATA_TABLE, HISTORY_TABLE } from "@repo/migrate";
import { afterEach, describe, expect, it } from "vitest";
import { createApp } from "../src/app.ts";
import type { Readiness } from "../src/readiness/readiness.ts";
import { deployAll } from "../src/dev/deploy-all.ts";
import { FAST_SCRYPT, memoryLogger, testApi, type TestApi } from "./helpers.ts";

const disposers: (() => Promise<void>)[] = [];
afterEach(async () => {
  await Promise.all(disposers.splice(0).map((dispose) => dispose()));
});
async function app(database: "migrated" | "empty"): Promise<TestApi> {
  const api = await testApi({ database });
  disposers.push(() => api.dispose());
  return api;
}

describe("/ready with migrations owning the schema", () => {
  it("answers 503 listing every pending schema and data migration, then 200 after a deploy", async () => {
    const api = await app("empty");
    const before = await api.call<Readiness>("GET", "/ready");
    expect(before.status).toBe(503);
    expect(before.headers.get("cache-control")).toBe("no-store");
    expect(before.body).toMatchObject({
      status: "not_ready",
      database: { ok: true },
      schema: { mode: "migrations", ok: false, current: null, failed: [], missing: [] },
      dataMigrations: { ok: false, checked: true, pending: [expect.stringMatching(/^\d{14}_/)] },
    });
    if (before.body.schema.mode !== "migrations") throw new Error("expected migrations mode");
    expect(before.body.schema.pending[0]).toMatch(/_init$/);
    expect(before.body.schema.pending.length).toBeGreaterThan(1);

    await deployAll(api.url);

    const after = await api.call<Readiness>("GET", "/ready");
    expect(after.status).toBe(200);
    expect(after.body).toMatchObject({
      status: "ready",
      database: { ok: true, latencyMs: expect.any(Number) },
      schema: { mode: "migrations", ok: true, current: before.body.schema.pending.at(-1), pending: [], failed: [], edited: [], missing: [] },
      dataMigrations: { ok: true, pending: [], resumable: [] },
    });
  });

  it("stays ready when the database is ahead of this build (a later release's migrations), naming them", async () => {
    const api = await app("migrated");
    await api.sql(`INSERT INTO "${HISTORY_TABLE}" (id, checksum, migration_name, finished_at, applied_steps_count) VALUES ('00000000-0000-0000-0000-000000000001', 'x', '20991231000000_next_release', now(), 1)`);
    const response = await api.call<Readiness>("GET", "/ready");
    expect(response.status).toBe(200);
    expect(response.body.schema).toMatchObject({ ok: true, pending: [], missing: [], ahead: ["20991231000000_next_release"] });
  });

  it("answers 503 naming a failed migration, and an unknown one older than this build's newest (another branch of history)", async () => {
    const api = await app("migrated");
    await api.sql(`INSERT INTO "${HISTORY_TABLE}" (id, checksum, migration_name, finished_at) VALUES ('00000000-0000-0000-0000-000000000001', 'x', '20200101000000_other_branch', now())`);
    await api.sql(`INSERT INTO "${HISTORY_TABLE}" (id, checksum, migration_name, logs) VALUES ('00000000-0000-0000-0000-000000000002', 'x', '20991231000001_broken', 'syntax error')`);
    const response = await api.call<Readiness>("GET", "/ready");
    expect(response.status).toBe(503);
    expect(response.body.schema).toMatchObject({ ok: false, pending: [], failed: ["20991231000001_broken"], missing: ["20200101000000_other_branch"], ahead: [] });
  });

  it("answers 503 naming an applied migration whose file was edited since", async () => {
    const api = await app("migrated");
    const [first] = await api.sql<{ migration_name: string }>(`UPDATE "${HISTORY_TABLE}" SET checksum = 'edited' WHERE migration_name LIKE '%_init' RETURNING migration_name`);
    const response = await api.call<Readiness>("GET", "/ready");
    expect(response.status).toBe(503);
    expect(response.body.schema).toMatchObject({ ok: false, edited: [first?.migration_name] });
  });

  it("answers 503 while a data migration is half-done (interrupted, resumable)", async () => {
    const api = await app("migrated");
    const [row] = await api.sql<{ name: string }>(`UPDATE "${DATA_TABLE}" SET status = 'interrupted', finished_at = NULL RETURNING name`);
    const response = await api.call<Readiness>("GET", "/ready");
    expect(response.status).toBe(503);
    expect(response.body.schema.ok).toBe(true);
    expect(response.body.dataMigrations).toMatchObject({ ok: false, resumable: [row?.name] });
  });

  it("answers 503 with the reason when the database cannot be reached, while /health stays 200", async () => {
    const api = await createApp({
      databaseUrl: "postgresql://postgres@127.0.0.1:1/nowhere",
      environment: "test",
      logger: memoryLogger([]),
      createTablesOnStart: false,
      scrypt: FAST_SCRYPT,
    });
    disposers.push(() => api.close());
    const response = await api.app.request("/ready");
    expect(response.status).toBe(503);
    const body = (await response.json()) as Readiness;
    expect(body.database).toEqual({ ok: false, error: expect.stringMatching(/reach/i) });
    expect(body.schema).toMatchObject({ ok: false, error: expect.stringMatching(/127\.0\.0\.1:1/) });
    expect((await api.app.request("/health")).status).toBe(200);
  });

  it("answers 503 (shutting down) once draining starts", async () => {
    const api = await app("migrated");
    api.startDraining();
    const response = await api.call<Readiness>("GET", "/ready");
    expect(response.status).toBe(503);
    expect(response.body).toMatchObject({ status: "not_ready", shuttingDown: true });
  });
});
