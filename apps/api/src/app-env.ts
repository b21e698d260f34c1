// The variables every request carries through the middleware chain.
import type { Logger } from "pino";

export interface AppEnv {
  Variables: {
    /** From a well-formed X-Request-Id header, else generated; echoed in the response and every log line. */
    requestId: string;
    /** The process logger bound to this request's id. */
    log: Logger;
  };
}
