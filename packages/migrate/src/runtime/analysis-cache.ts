// Analyses of migration scripts, kept between runs and keyed by the script's SHA-256: a run whose
// scripts were all analysed before skips PostgreSQL's parser (loading its WebAssembly and parsing
// every pending file, most of a deploy's start-up CPU). A pure cache: the same script under the same
// ANALYSIS_VERSION always has the same analysis, a missing or unreadable entry is analysed again, and
// a script that fails analysis (bad SQL) is never stored, so its error is reported on every run.
//
// Two layers: a read-write folder (the user's cache, MIGRATOR_CACHE_DIR) and, read-only, the file a
// production bundle ships with the analyses of its own migrations (so a container never parses).
import { readFileSync } from "node:fs";
import { writeFile, rename, mkdir } from "node:fs/promises";
import path from "node:path";
import { checksumOf } from "../local/checksum.ts";
import type { ScriptAnalysis } from "./analyse.ts";

/**
 * What an analysis depends on besides the script: this engine's analysis code and the parser. Bump the
 * number whenever src/sql/* or runtime/analyse.ts change what they return (analysis-cache.test.ts
 * fails until you do); the parser's version is part of it too.
 */
export const ANALYSIS_VERSION = "1/libpg-query@18.1.5";

/** The file name, in the cache folder and in a bundle. */
export const ANALYSIS_CACHE_FILE = "analyses.json";

/** Entries kept at most; the least recently used go first (a project has hundreds of migrations). */
const MAX_ENTRIES = 2_000;

interface CacheFile {
  format: "migrator-analyses";
  version: string;
  entries: Record<string, ScriptAnalysis>;
}

export interface AnalysisCacheOptions {
  /**
   * Read-write folder for `analyses.json`; created when missing. Undefined: no user cache. (A
   * production bundle's file is written the same way, into its empty `dist/db`.)
   */
  dir?: string | undefined;
  /** A read-only analyses file, e.g. the one a production bundle ships. */
  shipped?: string | undefined;
}

export interface AnalysisCacheStats {
  hits: number;
  /** Scripts analysed by the parser in this run. */
  parsed: number;
  /** Where the cache was read from, and whether a file was unusable (and why). */
  sources: string[];
  problems: string[];
}

/** An entry's key: the script's SHA-256, as Prisma's checksum of a migration.sql is. */
const scriptKey = checksumOf;

/** A plausible ScriptAnalysis: an entry from a file someone edited is analysed again instead of trusted blindly. */
function isAnalysis(value: unknown): value is ScriptAnalysis {
  const a = value as ScriptAnalysis | null;
  return (
    typeof a === "object" &&
    a !== null &&
    typeof a.transactional === "boolean" &&
    Array.isArray(a.classes) &&
    a.classes.every((c) => typeof c?.kind === "string" && typeof c.transactional === "boolean") &&
    Array.isArray(a.statements) &&
    a.statements.every((s) => typeof s?.sql === "string" && typeof s.kind === "string" && typeof s.transactional === "boolean" && Number.isInteger(s.start)) &&
    Array.isArray(a.nonTransactional) &&
    typeof a.directives === "object" &&
    a.directives !== null
  );
}

function readCacheFile(file: string, problems: string[]): Map<string, unknown> | undefined {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ENOENT") problems.push(`${file}: ${(error as Error).message}`);
    return undefined;
  }
  try {
    const parsed = JSON.parse(text) as Partial<CacheFile>;
    if (parsed.format !== "migrator-analyses" || typeof parsed.entries !== "object" || parsed.entries === null) {
      problems.push(`${file}: not an analyses file`);
      return undefined;
    }
    // Written by another version of the engine or parser: its analyses may differ from this one's.
    if (parsed.version !== ANALYSIS_VERSION) {
      problems.push(`${file}: analyses of version ${String(parsed.version)}, this engine's are ${ANALYSIS_VERSION}`);
      return undefined;
    }
    return new Map(Object.entries(parsed.entries));
  } catch (error) {
    problems.push(`${file}: ${(error as Error).message}`);
    return undefined;
  }
}

function serialize(entries: Map<string, unknown>): string {
  const kept = [...entries].slice(-MAX_ENTRIES);
  const file: CacheFile = { format: "migrator-analyses", version: ANALYSIS_VERSION, entries: Object.fromEntries(kept) as Record<string, ScriptAnalysis> };
  return `${JSON.stringify(file)}\n`;
}

export class AnalysisCache {
  private readonly entries = new Map<string, unknown>();
  private readonly shipped = new Map<string, unknown>();
  private readonly added = new Map<string, ScriptAnalysis>();
  /** Keys of the user layer this run read: written last, so the size cap drops the unused first. */
  private readonly used = new Set<string>();
  readonly stats: AnalysisCacheStats = { hits: 0, parsed: 0, sources: [], problems: [] };

  /** Reads the layers (synchronously: one small file each). Unreadable files are noted and skipped. */
  constructor(private readonly options: AnalysisCacheOptions = {}) {
    if (options.shipped) {
      const shipped = readCacheFile(options.shipped, this.stats.problems);
      if (shipped) {
        for (const [key, value] of shipped) this.shipped.set(key, value);
        this.stats.sources.push(options.shipped);
      }
    }
    if (options.dir) {
      const file = path.join(options.dir, ANALYSIS_CACHE_FILE);
      const entries = readCacheFile(file, this.stats.problems);
      if (entries) {
        for (const [key, value] of entries) this.entries.set(key, value);
        this.stats.sources.push(file);
      }
    }
  }

  /** The stored analysis of `script`, if any (and well-formed). */
  get(script: string): ScriptAnalysis | undefined {
    const key = scriptKey(script);
    const found = this.entries.get(key) ?? this.shipped.get(key);
    if (!isAnalysis(found)) return undefined;
    this.stats.hits += 1;
    if (this.entries.has(key)) this.used.add(key);
    return found;
  }

  /** Records a fresh analysis, to be written by save(). */
  set(script: string, analysis: ScriptAnalysis): void {
    this.stats.parsed += 1;
    const key = scriptKey(script);
    this.entries.delete(key); // re-inserted last: the most recent entries survive the size cap
    this.entries.set(key, analysis);
    this.added.set(key, analysis);
  }

  /**
   * Writes the folder's file when this run analysed something new (atomically: a temporary file
   * renamed over it, so concurrent runs never read half a file). Never throws: a cache that cannot
   * be written (read-only file system) only costs the next run its parsing; returns why not.
   */
  async save(): Promise<string | undefined> {
    if (!this.options.dir || this.added.size === 0) return undefined;
    const file = path.join(this.options.dir, ANALYSIS_CACHE_FILE);
    const temporary = `${file}.${process.pid}.${Date.now()}.tmp`;
    try {
      await mkdir(this.options.dir, { recursive: true });
      // Unused entries first, then those this run read or added: the cap keeps the recent ones.
      const ordered = new Map([...this.entries].filter(([key]) => !this.used.has(key) && !this.added.has(key)));
      for (const key of [...this.used, ...this.added.keys()]) ordered.set(key, this.entries.get(key));
      await writeFile(temporary, serialize(ordered), { mode: 0o644 });
      await rename(temporary, file);
      this.added.clear();
      return undefined;
    } catch (error) {
      return `${file}: ${(error as Error).message}`;
    }
  }
}
