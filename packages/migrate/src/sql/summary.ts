// The one question the engine asks of a whole file: can it run in a single transaction?

import type { Statement } from "./split.ts";

export interface TransactionSummary {
  /** True when every statement can run inside one transaction (also for an empty file). */
  transactional: boolean;
  /** The statements that cannot, in file order, each with its `reason`. */
  nonTransactional: Statement[];
}

/** Summarizes splitStatements' result for the decision to wrap the file in a transaction. */
export function summarize(statements: readonly Statement[]): TransactionSummary {
  const nonTransactional = statements.filter((statement) => !statement.transactional);
  return { transactional: nonTransactional.length === 0, nonTransactional };
}
