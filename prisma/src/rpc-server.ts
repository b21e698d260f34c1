// The native schema engine's JSON-RPC 2.0 protocol over stdio, one JSON object per line, answered by
// the wasm engine. Besides requests from the Prisma CLI it sends one request of its own: `print`
// (for `migrate diff`), whose reply it awaits before answering the CLI's request.
/// <reference path="./webassembly.d.ts" />
import readline from "node:readline";
import type { Readable, Writable } from "node:stream";
import type { SchemaEngine } from "./wasm-engine.ts";
import { panicRegistry } from "./wasm-engine.ts";
import { callEngine, isEngineMethod } from "./engine-calls.ts";
import { translateEngineError } from "./engine-errors.ts";

interface RpcRequest {
  jsonrpc: "2.0";
  id: number;
  method: string;
  params?: unknown;
}

interface RpcReply {
  jsonrpc: "2.0";
  id: number;
  result?: unknown;
  error?: unknown;
}

/** Methods the native engine has that the wasm engine lacks; the bridge answers them itself. */
export type ExtraMethods = Record<string, (params: unknown) => Promise<unknown>>;

export interface RpcServerOptions {
  input: Readable;
  output: Writable;
  /** Creates the engine on the first request that needs it. */
  engine: () => Promise<SchemaEngine>;
  extraMethods?: ExtraMethods;
  /** Called after a request failed with an engine panic: the wasm instance cannot be trusted after it. */
  onPanic?: () => void;
}

/** The `error` member of a failed reply, in the shape the Prisma CLI reads (`data.error_code`, `data.message`). */
export function toRpcError(error: unknown): { code: number; message: string; data: Record<string, unknown> } {
  const e = (error ?? {}) as { message?: unknown; code?: unknown; meta?: unknown; name?: unknown; errorCode?: unknown };
  const isPanic = e.name === "RuntimeError" || error instanceof WebAssembly.RuntimeError;
  const translated = isPanic ? undefined : translateEngineError(error);
  const message = isPanic && panicRegistry.message ? panicRegistry.message : (translated?.message ?? String(e.message ?? error));
  const errorCode =
    translated?.code ?? (typeof e.errorCode === "string" ? e.errorCode : typeof e.code === "string" ? e.code : undefined);
  return {
    code: 4466,
    message: "An error happened. Check the data field for details.",
    data: {
      is_panic: isPanic,
      message,
      ...(errorCode ? { error_code: errorCode } : {}),
      ...(e.meta !== undefined ? { meta: e.meta } : {}),
    },
  };
}

/** Serves requests until `input` ends. Resolves when every started request has been answered. */
export function serveRpc(options: RpcServerOptions): Promise<void> {
  const { input, output } = options;
  const send = (message: object) => output.write(`${JSON.stringify(message)}\n`);
  const awaitingReply = new Map<number, () => void>();
  let nextOwnId = 1_000_000_000;
  const inFlight = new Set<Promise<void>>();

  /** Asks the CLI to print `content` and waits for its acknowledgement. */
  const print = (content: string) =>
    new Promise<void>((resolve) => {
      const id = nextOwnId++;
      awaitingReply.set(id, resolve);
      send({ jsonrpc: "2.0", id, method: "print", params: { content } });
    });

  async function handle(request: RpcRequest): Promise<void> {
    try {
      let result: unknown;
      const extra = options.extraMethods?.[request.method];
      if (extra) {
        result = await extra(request.params);
      } else {
        const engine = await options.engine();
        if (!isEngineMethod(engine, request.method)) {
          send({ jsonrpc: "2.0", id: request.id, error: { code: -32601, message: `Method not found: ${request.method}` } });
          return;
        }
        result = await callEngine(engine, request.method, request.params);
      }
      if (request.method === "diff") {
        // The wasm engine returns the script; the native one prints it through the CLI.
        const { exitCode, stdout } = (result ?? {}) as { exitCode?: number; stdout?: string };
        if (stdout) await print(stdout);
        result = { exitCode: exitCode ?? 0 };
      }
      send({ jsonrpc: "2.0", id: request.id, result: result ?? null });
    } catch (error) {
      const rpcError = toRpcError(error);
      send({ jsonrpc: "2.0", id: request.id, error: rpcError });
      if (rpcError.data.is_panic) options.onPanic?.();
    }
  }

  return new Promise((resolve) => {
    const lines = readline.createInterface({ input, crlfDelay: Infinity });
    lines.on("line", (line) => {
      if (!line.trim()) return;
      let message: RpcRequest | RpcReply;
      try {
        message = JSON.parse(line) as RpcRequest | RpcReply;
      } catch {
        send({ jsonrpc: "2.0", id: null, error: { code: -32700, message: "Parse error" } });
        return;
      }
      if (!("method" in message)) {
        awaitingReply.get(message.id)?.();
        awaitingReply.delete(message.id);
        return;
      }
      const work = handle(message).finally(() => inFlight.delete(work));
      inFlight.add(work);
    });
    lines.on("close", () => {
      void Promise.allSettled([...inFlight]).then(() => resolve());
    });
  });
}
