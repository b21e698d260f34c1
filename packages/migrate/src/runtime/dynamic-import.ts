// import() for modules chosen at run time, in a way that also works from V8's code cache.
//
// The migrator's production build runs its bundle from a code cache (apps/migrator/src/bundle/loader.ts),
// and on Node 20 a function restored from a code cache cannot call import(): V8 drops the script's
// import hook ("A dynamic import callback was not specified"). That loader, a module Node compiled
// itself, installs an importer under IMPORT_HOOK; every dynamic import of a module outside the bundle
// (data migrations, tsx, libpg-query, the Prisma client's chunk, the embedded server) goes through here.
// Anywhere else (the workspace, tests, the API) there is no hook and this is import().

/** Where a host that runs this code from a code cache puts its importer. */
export const IMPORT_HOOK = Symbol.for("migrator.import");

/** `specifier`: a package name, a node: built-in, or an absolute file: URL (never a relative path). */
export function dynamicImport<T>(specifier: string): Promise<T> {
  const hook = (globalThis as Record<symbol, ((specifier: string) => Promise<unknown>) | undefined>)[IMPORT_HOOK];
  return (hook ? hook(specifier) : import(specifier)) as Promise<T>;
}
