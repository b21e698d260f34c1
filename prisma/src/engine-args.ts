// The command line the Prisma CLI gives its schema engine binary.

export interface EngineArgs {
  datamodels: string[];
  datasource?: { url?: string; shadowDatabaseUrl?: string; directUrl?: string } | undefined;
  /** `cli <command>`: a one-shot subcommand instead of the RPC server. */
  oneShot?: string | undefined;
  version: boolean;
}

/** Parses the engine's arguments. Unknown flags are errors, so a protocol change is noticed. */
export function parseEngineArgs(argv: string[]): EngineArgs {
  const args: EngineArgs = { datamodels: [], version: false };
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i];
    const value = () => {
      const next = argv[++i];
      if (next === undefined) throw new Error(`Missing value after ${flag}`);
      return next;
    };
    switch (flag) {
      case "--datamodels":
        args.datamodels.push(value());
        break;
      case "--datasource":
        args.datasource = JSON.parse(value()) as EngineArgs["datasource"];
        break;
      case "--enabled-preview-features":
      case "--extension-types":
        value(); // Accepted as the native engine does; the wasm engine is configured by the schema.
        break;
      case "--version":
      case "-V":
        args.version = true;
        break;
      case "cli":
        args.oneShot = value();
        break;
      default:
        throw new Error(`Unknown argument: ${flag}`);
    }
  }
  return args;
}
