// Which compiled-code cache a start of the production build used: set by dist/main.js (loader.ts),
// read by the CLI for its `code_cache` event (--json). The two are built separately, so they meet on a
// global symbol, not on a shared module instance.
const REPORT = Symbol.for("migrator.codeCache");

export interface CodeCacheReport {
  /** Where the cache came from, if one was found. */
  source: "user" | "shipped" | null;
  /** accepted: the code came from the cache; rejected: V8 refused it (another Node), compiled instead; none: no cache. */
  outcome: "accepted" | "rejected" | "none";
  /** The user cache file this run writes at exit, if any. */
  writes: string | null;
}

export function setCodeCacheReport(report: CodeCacheReport): void {
  (globalThis as Record<symbol, unknown>)[REPORT] = report;
}

/** The report, when this process runs from the production build's loader (undefined under tsx). */
export function codeCacheReport(): CodeCacheReport | undefined {
  return (globalThis as Record<symbol, CodeCacheReport | undefined>)[REPORT];
}
