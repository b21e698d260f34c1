#!/usr/bin/env node
// The API image's HEALTHCHECK (slim images have no curl): GET /health on this container's PORT.
// Exit 0 when it answers 200, 1 otherwise (refused, timed out, unhealthy), as Docker expects.
const port = process.env.PORT || "3000";
const host = !process.env.HOST || process.env.HOST === "0.0.0.0" || process.env.HOST === "::" ? "127.0.0.1" : process.env.HOST;
try {
  const response = await fetch(`http://${host}:${port}/health`, { signal: AbortSignal.timeout(2_500) });
  process.exitCode = response.status === 200 ? 0 : 1;
} catch {
  process.exitCode = 1;
}
