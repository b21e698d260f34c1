// The schema-engine executable the Prisma CLI spawns (PRISMA_SCHEMA_ENGINE_BINARY): the native engine's
// command line and protocol, served by the WebAssembly engine over this package's PostgreSQL adapter.
import { readFile } from "node:fs/promises";
import { parseConnectionUrl } from "./connection-config.ts";
import { parseEngineArgs } from "./engine-args.ts";
import { ONE_SHOT_COMMANDS, runOneShot, type OneShotCommand } from "./one-shot.ts";
import { createAdapterFactory } from "./pg-adapter/adapter.ts";
import { connect } from "./pg-adapter/connection.ts";
import { ShadowDatabases } from "./pg-adapter/shadow-databases.ts";
import { serveRpc } from "./rpc-server.ts";
import { createEngine, engineVersion, type SchemaEngine } from "./wasm-engine.ts";

/** One line of the engine's log on stderr, in the tracing JSON format the CLI parses. */
function logLine(level: "INFO" | "ERROR", fields: Record<string, unknown>): void {
  process.stderr.write(`${JSON.stringify({ timestamp: new Date().toISOString(), level, fields, target: "schema_engine::logger" })}\n`);
}

async function oneShot(command: string, url: string | undefined): Promise<number> {
  // The CLI discards the first line of a one-shot command's stderr before parsing the rest.
  logLine("INFO", { message: `Starting schema engine (wasm) one-shot command ${command}` });
  if (!(ONE_SHOT_COMMANDS as readonly string[]).includes(command)) {
    logLine("ERROR", { message: `Unknown command: cli ${command}` });
    return 1;
  }
  if (!url) {
    logLine("ERROR", { message: "Missing --datasource with a url" });
    return 1;
  }
  try {
    logLine("INFO", { message: await runOneShot(command as OneShotCommand, url) });
    return 0;
  } catch (error) {
    const e = error as { message?: string; errorCode?: string };
    logLine("ERROR", { ...(e.errorCode ? { error_code: e.errorCode } : {}), message: e.message ?? String(error) });
    return 1;
  }
}

async function main(argv: string[]): Promise<number> {
  const args = parseEngineArgs(argv);
  if (args.version) {
    process.stdout.write(`schema-engine-cli ${await engineVersion()} (wasm)\n`);
    return 0;
  }
  const url = args.datasource?.url;
  if (args.oneShot) return oneShot(args.oneShot, url);

  const shadowDatabases = new ShadowDatabases();
  let exiting = false;
  const exit = async (code: number) => {
    if (exiting) return;
    exiting = true;
    await shadowDatabases.dropAll();
    process.exit(code);
  };
  // The CLI stops its engine with SIGTERM; Ctrl-C in a terminal sends SIGINT to both.
  process.on("SIGTERM", () => void exit(0));
  process.on("SIGINT", () => void exit(130));
  // The wasm bindings throw some errors (e.g. malformed params) outside the request's promise.
  process.on("uncaughtException", (error) => {
    logLine("ERROR", { message: error.message });
    void exit(1);
  });

  const datamodels = await Promise.all(
    args.datamodels.map(async (file): Promise<[string, string]> => [file, await readFile(file, "utf8")]),
  );
  let engine: Promise<SchemaEngine> | undefined;
  const getEngine = () => {
    if (!url) throw new Error("The schema engine was started without a datasource URL (--datasource).");
    engine ??= createEngine({
      datamodels,
      adapterFactory: createAdapterFactory({ url, shadowDatabaseUrl: args.datasource?.shadowDatabaseUrl, shadowDatabases }),
      log: (line) => process.stderr.write(`${line}\n`),
    });
    return engine;
  };

  await serveRpc({
    input: process.stdin,
    output: process.stdout,
    engine: getEngine,
    extraMethods: {
      // Methods of the native engine that the wasm build does not have.
      async getDatabaseVersion() {
        if (!url) throw new Error("No datasource URL");
        const client = await connect(parseConnectionUrl(url));
        try {
          const { rows } = await client.query<{ version: string }>("SELECT version()");
          return rows[0]?.version ?? "";
        } finally {
          await client.end();
        }
      },
      async createDatabase(params) {
        const target = (params as { datasource?: { url?: string } } | undefined)?.datasource?.url ?? url;
        if (!target) throw new Error("No datasource URL");
        await runOneShot("create-database", target);
        return { databaseName: parseConnectionUrl(target).database };
      },
    },
    // After a panic the wasm instance is unusable: answer, clean up and exit as the native engine does.
    onPanic: () => void exit(101),
  });
  await shadowDatabases.dropAll();
  return 0;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    logLine("ERROR", { message: error instanceof Error ? error.message : String(error) });
    process.exit(1);
  },
);
