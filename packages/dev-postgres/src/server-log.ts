// The server writes its log to a file (it outlives us, so there is no pipe to read). On a failed
// start the useful lines are the ones it just appended; these helpers find and quote them.

import { open, stat } from "node:fs/promises";

/** The log's current size, to read only what a later start appends. */
export async function logSize(logFile: string): Promise<number> {
  return (await stat(logFile).catch(() => undefined))?.size ?? 0;
}

/** The last `count` lines written to `logFile` after byte `from`; empty when there are none. */
export async function logLinesSince(logFile: string, from: number, count = 20): Promise<string[]> {
  const handle = await open(logFile, "r").catch(() => undefined);
  if (!handle) return [];
  try {
    const { size } = await handle.stat();
    // The last 64 KiB is plenty for 20 lines and bounds the read on a long-lived log.
    const start = Math.max(from, size - 65_536);
    const buffer = Buffer.alloc(Math.max(0, size - start));
    await handle.read(buffer, 0, buffer.length, start);
    return buffer.toString("utf8").split(/\r?\n/).filter(Boolean).slice(-count);
  } finally {
    await handle.close();
  }
}
