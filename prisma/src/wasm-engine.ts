// Loads Prisma's schema engine compiled to WebAssembly (@prisma/schema-engine-wasm). Node 20 cannot
// `import` a .wasm file, so the module is instantiated by hand, as the Prisma CLI 6 did.
/// <reference path="./webassembly.d.ts" />
import { readFile } from "node:fs/promises";
import { createRequire } from "node:module";
import path from "node:path";
import type { SchemaEngine as WasmSchemaEngine } from "@prisma/schema-engine-wasm";
import type { SqlMigrationAwareDriverAdapterFactory } from "@prisma/driver-adapter-utils";
import { bindMigrationAwareSqlAdapterFactory } from "@prisma/driver-adapter-utils";

export type SchemaEngine = WasmSchemaEngine;

type Bindings = typeof import("@prisma/schema-engine-wasm") & {
  __wbg_set_wasm(exports: WebAssembly.Exports): void;
};

/** The message of the last Rust panic, set by the engine through this global before it throws. */
export const panicRegistry = { message: "" };

let bindings: Promise<Bindings> | undefined;

async function load(): Promise<Bindings> {
  (globalThis as Record<string, unknown>).PRISMA_WASM_PANIC_REGISTRY = {
    set_message(message: string) {
      panicRegistry.message = message;
    },
  };
  const bg = (await import("@prisma/schema-engine-wasm/schema_engine_bg")) as unknown as Bindings;
  const require = createRequire(import.meta.url);
  const wasmFile = path.join(path.dirname(require.resolve("@prisma/schema-engine-wasm")), "schema_engine_bg.wasm");
  const module = await WebAssembly.compile(await readFile(wasmFile));
  const instance = await WebAssembly.instantiate(module, { "./schema_engine_bg.js": bg as unknown as WebAssembly.ModuleImports });
  bg.__wbg_set_wasm(instance.exports);
  (instance.exports.__wbindgen_start as () => void)();
  return bg;
}

/** The wasm bindings, loaded once per process. */
export function wasmBindings(): Promise<Bindings> {
  bindings ??= load();
  return bindings;
}

/** The version string of the bundled wasm schema engine. */
export async function engineVersion(): Promise<string> {
  return (await wasmBindings()).version();
}

export interface EngineOptions {
  /** Schema files as [path, content] pairs; none for commands that need no schema (diff from URLs, …). */
  datamodels?: [string, string][] | undefined;
  adapterFactory: SqlMigrationAwareDriverAdapterFactory;
  /** Receives the engine's log lines (JSON strings, tracing format). */
  log?: (line: string) => void;
}

/** A schema engine instance bound to one adapter factory. */
export async function createEngine(options: EngineOptions): Promise<SchemaEngine> {
  const bg = await wasmBindings();
  return bg.SchemaEngine.new(
    { datamodels: options.datamodels?.length ? options.datamodels : undefined },
    (line: string) => options.log?.(line),
    bindMigrationAwareSqlAdapterFactory(options.adapterFactory),
  );
}
