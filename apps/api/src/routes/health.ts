// Probes for orchestrators: /health (liveness: the process answers) and /ready (readiness: the
// database answers and its schema is the one this build expects). See readiness/readiness.ts.
import { createRoute, OpenAPIHono, z } from "@hono/zod-openapi";
import type { AppEnv } from "../app-env.ts";
import type { Readiness } from "../readiness/readiness.ts";

const MigrationSet = z.object({
  ok: z.boolean(),
  current: z.string().nullable().optional(),
  pending: z.array(z.string()),
  failed: z.array(z.string()),
  edited: z.array(z.string()),
  missing: z.array(z.string()),
  resumable: z.array(z.string()).optional(),
  error: z.string().optional(),
});

const ReadinessBody = z
  .object({
    status: z.enum(["ready", "not_ready"]),
    shuttingDown: z.literal(true).optional(),
    database: z.object({ ok: z.boolean(), latencyMs: z.number().optional(), error: z.string().optional() }),
    schema: z.union([
      MigrationSet.extend({ mode: z.literal("migrations") }),
      z.object({ mode: z.literal("push"), ok: z.boolean(), pushedAt: z.string() }),
    ]),
    dataMigrations: MigrationSet.extend({ checked: z.boolean().openapi({ description: "False with a pushed schema: no data migrations run there." }) }),
    rateLimit: z
      .object({
        store: z.enum(["redis", "memory"]),
        ok: z.boolean(),
        fail: z.enum(["open", "closed"]),
        detail: z.string(),
        error: z.string().optional(),
      })
      .optional()
      .openapi({ description: "Where rate limits are counted. An unreachable Redis makes the API not ready only when failing closed (RATE_LIMIT_FAIL=closed)." }),
  })
  .openapi("Readiness");

export function healthRoutes(readiness: () => Promise<Readiness>): OpenAPIHono<AppEnv> {
  const app = new OpenAPIHono<AppEnv>();

  app.openapi(
    createRoute({
      method: "get",
      path: "/health",
      tags: ["Operations"],
      summary: "Liveness: the process is up (touches nothing else)",
      responses: { 200: { description: "Alive", content: { "application/json": { schema: z.object({ status: z.literal("ok") }) } } } },
    }),
    (c) => c.json({ status: "ok" as const }, 200),
  );

  app.openapi(
    createRoute({
      method: "get",
      path: "/ready",
      tags: ["Operations"],
      summary: "Readiness: the database answers and every migration of this build is applied",
      description:
        "200 when the database answers and, with migrations owning the schema, every schema and data migration bundled with this build " +
        "is applied and none failed, was edited, stopped half-way or is unknown to this build. With createTablesOnStart (development, tests) the schema " +
        "was pushed at start-up and no migration history is expected. Otherwise 503, listing what is pending, failed, edited or missing.",
      responses: {
        200: { description: "Ready", content: { "application/json": { schema: ReadinessBody } } },
        503: { description: "Not ready, with the reasons", content: { "application/json": { schema: ReadinessBody } } },
      },
    }),
    async (c) => {
      const state = await readiness();
      // Probes poll; an intermediary must not answer from a cache.
      c.header("Cache-Control", "no-store");
      return state.status === "ready" ? c.json(state, 200) : c.json(state, 503);
    },
  );

  return app;
}
