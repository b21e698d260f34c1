// The variables every request carries through the middleware chain.
import type { Logger } from "pino";
import type { Caller } from "./auth/caller.ts";

export interface AppEnv {
  Variables: {
    /** From a well-formed X-Request-Id header, else generated; echoed in the response and every log line. */
    requestId: string;
    /** The process logger bound to this request's id. */
    log: Logger;
    /** The signed-in user (a valid, unrevoked access token of a live user), or undefined: anonymous. */
    caller: Caller | undefined;
  };
}
