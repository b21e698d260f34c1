// Running the wasm schema engine in-process for one piece of work, with its shadow databases dropped
// afterwards whatever happens.
import { readFile } from "node:fs/promises";
import { createAdapterFactory } from "./pg-adapter/adapter.ts";
import { ShadowDatabases } from "./pg-adapter/shadow-databases.ts";
import { translateEngineError } from "./engine-errors.ts";
import { createEngine, type SchemaEngine } from "./wasm-engine.ts";

export interface EngineSessionOptions {
  /** The database to work on. */
  url: string;
  /** A shadow database to use instead of a temporary one. */
  shadowDatabaseUrl?: string | undefined;
  /** Prisma schema files, when the work needs the schema (push, create migration). */
  schemaFiles?: string[] | undefined;
  /** Receives the engine's log lines. */
  log?: ((line: string) => void) | undefined;
}

/** An engine failure with Prisma's error code when it has one (P3018, P3006, P1001…). */
export class SchemaEngineError extends Error {
  override readonly name = "SchemaEngineError";
  constructor(
    message: string,
    readonly code: string | undefined,
  ) {
    super(code ? `${code}: ${message}` : message);
  }
}

/** Normalises whatever the engine threw into a SchemaEngineError. */
export function toSchemaEngineError(error: unknown): SchemaEngineError {
  if (error instanceof SchemaEngineError) return error;
  const translated = translateEngineError(error);
  const e = error as { message?: unknown; code?: unknown };
  const code = translated?.code ?? (typeof e?.code === "string" ? e.code : undefined);
  return new SchemaEngineError(translated?.message ?? String(e?.message ?? error), code);
}

/** Creates an engine, runs `work` with it, then drops any shadow database it left. */
export async function withSchemaEngine<T>(options: EngineSessionOptions, work: (engine: SchemaEngine) => Promise<T>): Promise<T> {
  const shadowDatabases = new ShadowDatabases();
  const datamodels = await Promise.all(
    (options.schemaFiles ?? []).map(async (file): Promise<[string, string]> => [file, await readFile(file, "utf8")]),
  );
  const adapterFactory = createAdapterFactory({ url: options.url, shadowDatabaseUrl: options.shadowDatabaseUrl, shadowDatabases });
  try {
    const engine = await createEngine({ datamodels, adapterFactory, log: options.log });
    try {
      return await work(engine);
    } finally {
      engine.free();
    }
  } catch (error) {
    throw toSchemaEngineError(error);
  } finally {
    await shadowDatabases.dropAll();
    await adapterFactory.closeAll();
  }
}
