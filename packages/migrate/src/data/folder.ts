// Reads the data-migrations folder: `<timestamp>_<slug>.ts` files in the workspace, or the compiled
// `.mjs` files and `manifest.json` a production bundle ships. The anchor is read from the source
// without running it, so status never executes migration code.
import { readdir, readFile, stat } from "node:fs/promises";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { MigrateError } from "../errors.ts";
import { dynamicImport } from "../runtime/dynamic-import.ts";
import { checksumOf } from "../local/checksum.ts";
import type { DataMigration } from "./define.ts";

export interface LocalDataMigration {
  name: string;
  /** The file to load (source in the workspace, compiled in a bundle). */
  file: string;
  /** SHA-256 of the source file, as written by its author. */
  checksum: string;
  anchor: string | null;
  /** Loads the module (runs its top level). */
  load(): Promise<DataMigration>;
}

/**
 * The manifest a production build writes beside compiled data migrations. `checksum` is the SHA-256
 * of the TypeScript source, so _data_migrations records the same checksum whether a migration ran from
 * the workspace or from an image.
 */
export interface DataMigrationManifest {
  migrations: { name: string; file: string; checksum: string; anchor: string | null }[];
}

const NAME = /^(\d{14}_[a-z0-9_]+)\.(ts|mts|js|mjs)$/;

/** The anchor literal in a data migration's source: `anchor: "<name>"` or `anchor: null`. */
export function readAnchor(source: string, file: string): string | null {
  const match = /\banchor\s*:\s*(?:"([^"\n]*)"|'([^'\n]*)'|(null))/.exec(source);
  if (!match) {
    throw new MigrateError("DATA_MIGRATION_INVALID", `${file} has no anchor.`, 'Declare it in defineDataMigration({ anchor: "<schema migration name>", … }) (`pnpm db:data new` writes it).');
  }
  return match[3] ? null : (match[1] ?? match[2] ?? null);
}

/** tsx's on-the-fly TypeScript loader: in the workspace only (a production bundle ships compiled files). */
async function loadTsx(file: string): Promise<typeof import("tsx/esm/api")> {
  try {
    return await dynamicImport<typeof import("tsx/esm/api")>("tsx/esm/api");
  } catch (error) {
    if ((error as { code?: string }).code !== "ERR_MODULE_NOT_FOUND") throw error;
    throw new MigrateError(
      "DATA_MIGRATION_INVALID",
      `${file} is TypeScript, and this installation has no TypeScript loader (tsx) to run it.`,
      "Ship data migrations compiled: `pnpm bundle migrator <dir>` (or the migrator's `pnpm build`) writes .mjs files and a manifest.json; or write the file as .mjs.",
    );
  }
}

async function importModule(file: string, checksum: string): Promise<DataMigration> {
  let module: { default?: DataMigration };
  // The checksum in the URL: a file changed since an earlier import in this process is loaded anew.
  const url = `${pathToFileURL(file).href}?v=${checksum.slice(0, 16)}`;
  try {
    module = await dynamicImport<{ default?: DataMigration }>(url);
  } catch (error) {
    if ((error as { code?: string }).code !== "ERR_UNKNOWN_FILE_EXTENSION") throw error;
    // TypeScript source outside a tsx-registered process (the engine used as a library): compile on the fly.
    const { tsImport } = await loadTsx(file);
    module = (await tsImport(url, import.meta.url)) as { default?: DataMigration };
  }
  const migration = module.default;
  if (!migration || typeof migration.up !== "function") {
    throw new MigrateError("DATA_MIGRATION_INVALID", `${file} does not export a data migration.`, "Default-export defineDataMigration({ anchor, up, down? }).");
  }
  return migration;
}

const CHECKSUM = /^[0-9a-f]{64}$/;

/**
 * The entries of a compiled folder's manifest.json, checked: each names a compiled file that exists
 * in the folder, the SHA-256 of its TypeScript source, and an anchor.
 */
async function readManifest(file: string, text: string): Promise<DataMigrationManifest["migrations"]> {
  const invalid = (problem: string) =>
    new MigrateError("DATA_MIGRATION_INVALID", `${file}: ${problem}.`, "It is written by the migrator's build (`pnpm bundle migrator <dir>`): build again rather than editing it.");
  let manifest: unknown;
  try {
    manifest = JSON.parse(text);
  } catch (error) {
    throw invalid(`not valid JSON (${(error as Error).message})`);
  }
  const migrations = (manifest as Partial<DataMigrationManifest> | null)?.migrations;
  if (!Array.isArray(migrations)) throw invalid('no "migrations" list');
  const seen = new Set<string>();
  const dir = path.dirname(file);
  for (const [index, entry] of migrations.entries()) {
    const { name, file: compiled, checksum, anchor } = (entry ?? {}) as Partial<DataMigrationManifest["migrations"][number]>;
    const at = `migrations[${index}]`;
    if (typeof name !== "string" || !/^\d{14}_[a-z0-9_]+$/.test(name)) throw invalid(`${at}.name is not a data migration name (<timestamp>_<slug>)`);
    if (seen.has(name)) throw invalid(`${name} is listed twice`);
    seen.add(name);
    if (typeof compiled !== "string" || path.basename(compiled) !== compiled || !/\.(mjs|js)$/.test(compiled)) throw invalid(`${at}.file must be a .mjs or .js file name in the same folder`);
    if (typeof checksum !== "string" || !CHECKSUM.test(checksum)) throw invalid(`${at}.checksum must be the source's SHA-256 in hex`);
    if (anchor !== null && typeof anchor !== "string") throw invalid(`${at}.anchor must be a schema migration name or null`);
    await stat(path.join(dir, compiled)).catch(() => {
      throw invalid(`${compiled} (listed for ${name}) is missing`);
    });
  }
  return migrations;
}

/** Loads every data migration in `dir`, by name (their apply order among those with the same anchor). */
export async function readDataMigrations(dir: string): Promise<LocalDataMigration[]> {
  const manifestFile = path.join(dir, "manifest.json");
  const manifestText = await readFile(manifestFile, "utf8").catch((error: NodeJS.ErrnoException) => {
    if (error.code === "ENOENT" || error.code === "ENOTDIR") return undefined;
    throw error;
  });
  if (manifestText !== undefined) {
    const entries = await readManifest(manifestFile, manifestText);
    return entries
      .map((entry) => ({ ...entry, file: path.join(dir, entry.file), load: () => importModule(path.join(dir, entry.file), entry.checksum) }))
      .sort((a, b) => (a.name < b.name ? -1 : 1));
  }
  const entries = await readdir(dir).catch((error: NodeJS.ErrnoException) => {
    if (error.code === "ENOENT") return [] as string[];
    throw error;
  });
  const files = entries.filter((entry) => NAME.test(entry) && !entry.endsWith(".d.ts")).sort();
  const seen = new Set<string>();
  const migrations: LocalDataMigration[] = [];
  for (const entry of files) {
    const name = (NAME.exec(entry) as RegExpExecArray)[1] as string;
    if (seen.has(name)) throw new MigrateError("DATA_MIGRATION_INVALID", `Two files define data migration ${name} in ${dir}.`, "Keep one.");
    seen.add(name);
    const file = path.join(dir, entry);
    const source = await readFile(file, "utf8");
    const checksum = checksumOf(source);
    migrations.push({ name, file, checksum, anchor: readAnchor(source, file), load: () => importModule(file, checksum) });
  }
  return migrations;
}
