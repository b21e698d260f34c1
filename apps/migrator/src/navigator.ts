// Node 21+ has a global `navigator`; Node 20 does not, and pg then detects "not Cloudflare Workers"
// by constructing a `Response`, which loads Node's fetch implementation (undici): ~20–30 ms and ~5 MB
// on every start, for nothing. On Node 20 this defines the object Node 21+ defines (same fields,
// userAgent "Node.js/<major>"; the others are getters, as there, so starting up computes nothing:
// `language` alone would load ICU's locale data). Imported first by main.ts, before anything imports pg.
import os from "node:os";

if (!("navigator" in globalThis)) {
  const navigator = {
    get hardwareConcurrency() {
      return os.availableParallelism();
    },
    get language() {
      return Intl.DateTimeFormat().resolvedOptions().locale;
    },
    platform: process.platform,
    userAgent: `Node.js/${process.versions.node.split(".")[0]}`,
  };
  Object.defineProperty(globalThis, "navigator", { value: navigator, writable: true, configurable: true, enumerable: true });
}
