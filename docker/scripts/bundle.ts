// `pnpm bundle <api|migrator> <outDir>`: the production bundle of one app, as docker/Dockerfile puts it
// in the image and as docker/test/bundle.test.ts runs it: dist/ (the app's esbuild build), a
// node_modules holding only the packages that bundle loads at run time, bin/, and a package.json.
// One script for both, so "built exactly as the Dockerfile does" holds by construction.
import { spawn } from "node:child_process";
import { chmod, copyFile, mkdir, readdir, readFile, rm, stat, writeFile } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { buildApi, EXTERNAL as API_EXTERNAL } from "@repo/api/build";
import { buildMigrator, EXTERNAL as MIGRATOR_EXTERNAL } from "@repo/migrator/build";
import { copyRuntimePackages, RuntimePackageError, type CopiedPackage } from "./runtime-packages.ts";

export const APPS = ["api", "migrator"] as const;
export type App = (typeof APPS)[number];

const repoRoot = fileURLToPath(new URL("../../", import.meta.url));
const binSources = fileURLToPath(new URL("./bin/", import.meta.url));

/**
 * Every esbuild external of each app, sorted into what the bundle ships (loaded at run time) and what
 * it leaves out, with the reason. An external added to an app's build without a decision here stops
 * the bundle: a missing package would otherwise only show up in production.
 */
export const EXTERNALS: Record<App, { ship: readonly string[]; leaveOut: Readonly<Record<string, string>> }> = {
  migrator: {
    ship: ["libpg-query"],
    leaveOut: {
      tsx: "compiles TypeScript data migrations in the workspace; the bundle ships them compiled",
      "tsx/*": "as tsx",
      "pg-native": "pg's optional native driver; pg's JavaScript driver is bundled",
      "@repo/prisma-engine": "the schema-push bridge, workspace tooling",
    },
  },
  api: {
    ship: [],
    leaveOut: {
      "@repo/prisma-engine": "CREATE_TABLES_ON_START's schema push, development only (off in production)",
      "pino-pretty": "pretty development logs; production logs are JSON",
      "pg-native": "pg's optional native driver; pg's JavaScript driver is bundled",
      "libpg-query": "the SQL parser; /ready only reads migration state and never parses SQL",
      tsx: "never loaded by the API: /ready reads data migrations as text",
      "tsx/*": "as tsx",
    },
  },
};

const EXTERNAL_OF: Record<App, readonly string[]> = { api: API_EXTERNAL, migrator: MIGRATOR_EXTERNAL };
const APP_DIR: Record<App, string> = { api: path.join(repoRoot, "apps/api"), migrator: path.join(repoRoot, "apps/migrator") };
const BINS: Record<App, Record<string, string>> = { api: { api: "api.js", healthcheck: "healthcheck.js" }, migrator: { migrator: "migrator.js" } };

export class BundleError extends Error {}

export interface BundleResult {
  outDir: string;
  packages: CopiedPackage[];
  bytes: { total: number; dist: number; nodeModules: number };
}

async function sizeOf(target: string): Promise<number> {
  const info = await stat(target);
  if (!info.isDirectory()) return info.size;
  let total = 0;
  for (const entry of await readdir(target)) total += await sizeOf(path.join(target, entry));
  return total;
}

function checkExternals(app: App): void {
  const { ship, leaveOut } = EXTERNALS[app];
  const undecided = EXTERNAL_OF[app].filter((name) => !ship.includes(name) && !(name in leaveOut));
  if (undecided.length > 0) {
    throw new BundleError(`apps/${app}/scripts/build.ts leaves ${undecided.join(", ")} out of the bundle, and docker/scripts/bundle.ts does not say whether the image needs it: add it to EXTERNALS.${app}.ship or .leaveOut.`);
  }
}

/** The Prisma client is generated code (gitignored): generate it when missing or older than the schema. */
async function ensurePrismaClient(log: (line: string) => void): Promise<void> {
  const dbDir = path.join(repoRoot, "packages/db");
  const generated = await stat(path.join(dbDir, "src/generated/prisma/client.ts")).then((s) => s.mtimeMs, () => 0);
  const inputs = await Promise.all(["schema.prisma", "prisma.config.ts"].map((file) => stat(path.join(dbDir, file)).then((s) => s.mtimeMs)));
  if (generated >= Math.max(...inputs)) return;
  log("Generating the Prisma client (packages/db) …");
  // @repo/db's own `generate` script, through the WebAssembly engine bridge (no native engine).
  const tsx = path.join(dbDir, "node_modules/tsx/dist/cli.mjs");
  const code = await new Promise<number | null>((resolve, reject) => {
    const child = spawn(process.execPath, [tsx, "src/cli/prisma.ts", "generate"], { cwd: dbDir, stdio: ["ignore", "ignore", "inherit"] });
    child.on("error", reject);
    child.on("exit", resolve);
  });
  if (code !== 0) throw new BundleError(`prisma generate failed (exit ${code}) in packages/db: see the output above.`);
}

async function assertUsableOutDir(outDir: string, app: App): Promise<void> {
  const entries = await readdir(outDir).catch((error: NodeJS.ErrnoException) => {
    if (error.code === "ENOENT") return [] as string[];
    throw error;
  });
  if (entries.length === 0) return;
  const previous = await readFile(path.join(outDir, "package.json"), "utf8").then((text) => (JSON.parse(text) as { name?: string }).name, () => undefined);
  if (previous !== `@repo/${app}-bundle`) {
    throw new BundleError(`${outDir} is not empty and holds no earlier ${app} bundle: give a new or empty folder (or an earlier ${app} bundle, which is replaced).`);
  }
}

/**
 * Builds `app`'s production bundle in `outDir` (emptied first; an existing folder must be empty or an
 * earlier bundle of the same app). Runs no package manager and needs no network: the packages come
 * from the workspace's installed node_modules.
 */
export async function bundle(app: App, outDir: string, log: (line: string) => void = () => {}): Promise<BundleResult> {
  checkExternals(app);
  const out = path.resolve(outDir);
  await assertUsableOutDir(out, app);
  await ensurePrismaClient(log);

  const dist = path.join(out, "dist");
  if (app === "migrator") await buildMigrator({ outDir: dist });
  else await buildApi({ outDir: dist });
  // buildMigrator/buildApi empty `dist` only: clear what an earlier bundle left beside it.
  await rm(path.join(out, "node_modules"), { recursive: true, force: true });
  await rm(path.join(out, "bin"), { recursive: true, force: true });

  const packages = await copyRuntimePackages(EXTERNALS[app].ship, APP_DIR[app], path.join(out, "node_modules"));
  await mkdir(path.join(out, "bin"), { recursive: true });
  for (const [name, source] of Object.entries(BINS[app])) {
    await copyFile(path.join(binSources, source), path.join(out, "bin", name));
    await chmod(path.join(out, "bin", name), 0o755);
  }
  const manifest = {
    name: `@repo/${app}-bundle`,
    private: true,
    type: "module",
    description: `The ${app}'s production bundle, made by docker/scripts/bundle.ts: run bin/${app}.`,
    // esbuild's target (node20.19), as the workspace's own engines field says.
    engines: { node: ">=20.19" },
    dependencies: Object.fromEntries(packages.map((p) => [p.name, p.version])),
  };
  await writeFile(path.join(out, "package.json"), `${JSON.stringify(manifest, null, 2)}\n`);

  const [total, distBytes, nodeModules] = await Promise.all([sizeOf(out), sizeOf(dist), sizeOf(path.join(out, "node_modules")).catch(() => 0)]);
  return { outDir: out, packages, bytes: { total, dist: distBytes, nodeModules } };
}

const MB = (bytes: number) => `${(bytes / 1_000_000).toFixed(1)} MB`;

async function main(args: string[]): Promise<number> {
  const [app, outDir, ...rest] = args;
  if (!app || !(APPS as readonly string[]).includes(app) || !outDir || rest.length > 0) {
    const problem = !app ? "no app given" : !(APPS as readonly string[]).includes(app) ? `unknown app "${app}"` : !outDir ? "no output folder given" : `unexpected arguments: ${rest.join(" ")}`;
    process.stderr.write(`pnpm bundle: ${problem}.\nUsage: pnpm bundle <${APPS.join("|")}> <outDir>\n  e.g. pnpm bundle migrator ./out/migrator\n`);
    return 2;
  }
  const started = performance.now();
  // Relative to where the user ran `pnpm bundle` (pnpm runs the script in docker/; INIT_CWD says where).
  const target = path.resolve(process.env.INIT_CWD ?? process.cwd(), outDir);
  try {
    const result = await bundle(app as App, target, (line) => process.stdout.write(`${line}\n`));
    const shipped = result.packages.map((p) => `${p.name}@${p.version}`).join(", ") || "none";
    process.stdout.write(
      `Bundled ${app} in ${result.outDir} (${MB(result.bytes.total)}: dist ${MB(result.bytes.dist)}, node_modules ${MB(result.bytes.nodeModules)} [${shipped}]) in ${Math.round(performance.now() - started)} ms\n`,
    );
    return 0;
  } catch (error) {
    if (!(error instanceof BundleError || error instanceof RuntimePackageError)) throw error;
    process.stderr.write(`${error.message}\n`);
    return 1;
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  process.exitCode = await main(process.argv.slice(2));
}
