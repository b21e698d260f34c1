// Copies the few npm packages a production bundle loads from node_modules at run time (esbuild's
// externals that are needed there) with their dependencies, into a flat node_modules, exactly at the
// versions the workspace installed from the lockfile: no registry, no package manager, no dev tools.
import { cp, readFile, realpath, stat } from "node:fs/promises";
import path from "node:path";

interface PackageJson {
  name: string;
  version: string;
  dependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
}

/** A package that cannot be copied as asked: the message says why and what to do. */
export class RuntimePackageError extends Error {}

export interface CopiedPackage {
  name: string;
  version: string;
}

/** Node's own lookup: `node_modules/<name>` in `fromDir` and every folder above it. */
async function findPackageDir(name: string, fromDir: string): Promise<string | undefined> {
  for (let dir = fromDir; ; dir = path.dirname(dir)) {
    const candidate = path.join(dir, "node_modules", name);
    if (await stat(path.join(candidate, "package.json")).then(() => true, () => false)) return realpath(candidate);
    if (path.dirname(dir) === dir) return undefined;
  }
}

/**
 * Copies `names`, resolved from `fromDir` as the app resolves them, and their dependencies (optional
 * ones when installed) to `targetNodeModules`/<name>, following pnpm's symlinks. Throws when a package
 * is missing or two versions of one name would have to share the flat folder.
 */
export async function copyRuntimePackages(names: readonly string[], fromDir: string, targetNodeModules: string): Promise<CopiedPackage[]> {
  const copied = new Map<string, CopiedPackage>();
  const queue: { name: string; from: string; optional: boolean; wantedBy: string }[] = names.map((name) => ({ name, from: fromDir, optional: false, wantedBy: fromDir }));
  for (let next = queue.shift(); next; next = queue.shift()) {
    const dir = await findPackageDir(next.name, next.from);
    if (!dir) {
      if (next.optional) continue;
      throw new RuntimePackageError(`${next.name} (wanted by ${next.wantedBy}) is not installed: run \`pnpm install\` first.`);
    }
    const manifest = JSON.parse(await readFile(path.join(dir, "package.json"), "utf8")) as PackageJson;
    const seen = copied.get(manifest.name);
    if (seen) {
      if (seen.version !== manifest.version) {
        throw new RuntimePackageError(`Two versions of ${manifest.name} (${seen.version}, ${manifest.version}) cannot share the bundle's flat node_modules: align them in the lockfile.`);
      }
      continue;
    }
    copied.set(manifest.name, { name: manifest.name, version: manifest.version });
    // A pnpm package folder holds no node_modules of its own; skip one anyway (npm or yarn layouts).
    await cp(dir, path.join(targetNodeModules, manifest.name), {
      recursive: true,
      dereference: true,
      filter: (source) => !path.relative(dir, source).split(path.sep).includes("node_modules"),
    });
    for (const name of Object.keys(manifest.dependencies ?? {})) queue.push({ name, from: dir, optional: false, wantedBy: manifest.name });
    for (const name of Object.keys(manifest.optionalDependencies ?? {})) queue.push({ name, from: dir, optional: true, wantedBy: manifest.name });
  }
  return [...copied.values()].sort((a, b) => a.name.localeCompare(b.name));
}
