// The caller's address, the key of anonymous budgets. Behind one trusted proxy (TRUST_PROXY), the
// address that proxy appended to X-Forwarded-For (its last entry: earlier ones are the client's word);
// otherwise the socket's peer. `app.request()` in tests has no socket: "unknown".
import { getConnInfo } from "@hono/node-server/conninfo";
import type { Context } from "hono";

export function clientIp(c: Context, trustProxy: boolean): string {
  if (trustProxy) {
    const last = c.req.header("x-forwarded-for")?.split(",").map((part) => part.trim()).filter(Boolean).at(-1);
    if (last) return last.slice(0, 64);
  }
  try {
    return getConnInfo(c).remote.address ?? "unknown";
  } catch {
    return "unknown";
  }
}
