// Calls into the wasm engine, with the one behavioural gap of the wasm build worked around.
import type { SchemaEngine } from "./wasm-engine.ts";

/** Engine methods the RPC server may call (the SchemaEngine class's own API). */
export function isEngineMethod(engine: SchemaEngine, method: string): boolean {
  const candidate = (engine as unknown as Record<string, unknown>)[method];
  return typeof candidate === "function" && !method.startsWith("_") && !["free", "constructor"].includes(method);
}

const NEEDS_WARM_CACHE = "shadow DB must be provided through an external factory";

/**
 * Calls `method` on the engine. The wasm build's `evaluateDataLoss` computes the migrations' schema
 * only from a cache that `diagnoseMigrationHistory` fills, and cannot fill it itself: when
 * `migrate dev` has just applied pending migrations, the cache is empty and it fails with
 * "PostgreSQL shadow DB must be provided through an external factory". Filling the cache through
 * `diagnoseMigrationHistory` (on a shadow database from this bridge's adapter) and retrying gives the
 * native engine's answer.
 */
export async function callEngine(engine: SchemaEngine, method: string, params: unknown): Promise<unknown> {
  const call = () => (engine as unknown as Record<string, (p: unknown) => Promise<unknown>>)[method]!.call(engine, params ?? {});
  try {
    return await call();
  } catch (error) {
    const message = (error as { message?: unknown })?.message;
    if (method !== "evaluateDataLoss" || typeof message !== "string" || !message.includes(NEEDS_WARM_CACHE)) throw error;
    const { migrationsList, filters } = params as Parameters<SchemaEngine["evaluateDataLoss"]>[0];
    await engine.diagnoseMigrationHistory({ migrationsList, optInToShadowDatabase: true, filters });
    return call();
  }
}
