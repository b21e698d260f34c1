// Durations and sizes as people write them in environment variables: `15m`, `7d`, `1mb`.

const DURATION_UNITS: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86_400 };
const SIZE_UNITS: Record<string, number> = { b: 1, kb: 1024, kib: 1024, mb: 1024 ** 2, mib: 1024 ** 2 };

/** Seconds from `900`, `900s`, `15m`, `12h` or `7d`; undefined when it is none of those. */
export function parseDuration(text: string): number | undefined {
  const match = /^(\d{1,9})\s*([smhd]?)$/i.exec(text.trim());
  if (!match) return undefined;
  return Number(match[1]) * (DURATION_UNITS[(match[2] || "s").toLowerCase()] ?? 1);
}

/** Bytes from `1048576`, `512kb` or `1mb` (binary multiples); undefined when it is none of those. */
export function parseSize(text: string): number | undefined {
  const match = /^(\d{1,12})\s*(b|kb|kib|mb|mib)?$/i.exec(text.trim());
  if (!match) return undefined;
  return Number(match[1]) * (SIZE_UNITS[(match[2] ?? "b").toLowerCase()] ?? 1);
}
