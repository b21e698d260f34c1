// A request budget: `limit` requests per `periodSeconds`, written `100/1m` in the configuration.
import { parseDuration } from "../units.ts";

export interface Budget {
  limit: number;
  periodSeconds: number;
}

/** `<requests>/<period>` (`100/60`, `100/1m`, `5/15m`); undefined when malformed or out of range. */
export function parseBudget(text: string): Budget | undefined {
  const [requests, period, ...rest] = text.split("/");
  if (rest.length || requests === undefined || period === undefined || !/^\s*\d{1,9}\s*$/.test(requests)) return undefined;
  const limit = Number(requests);
  const periodSeconds = parseDuration(period);
  if (limit < 1 || periodSeconds === undefined || periodSeconds < 1 || periodSeconds > 366 * 86_400) return undefined;
  return { limit, periodSeconds };
}

/** The IETF RateLimit-Policy form: `100;w=60`. */
export const policyOf = (budget: Budget) => `${budget.limit};w=${budget.periodSeconds}`;
