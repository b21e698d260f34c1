// Watches the batch in flight from a connection of its own and cancels it when it keeps another
// session waiting for one of its row locks too long. The cancelled batch is rolled back whole (its
// cursor with it), so nothing is lost or done twice: ctx.batch redoes the range smaller. Without this,
// an application write that hits a row of the batch waits until the batch commits, up to the whole
// target duration.
import type pg from "pg";

export interface BlockingWatcher {
  /** Watches the session `pid` until the returned stop(), which resolves with whether it cancelled it. */
  watch(pid: number): { stop(): Promise<boolean> };
  /** Closes the watching connection, if one was opened. */
  close(): Promise<void>;
}

/**
 * A watcher that, every `limitMs / 4` (at least 10 ms), asks whether a session has waited more than
 * `limitMs` for a lock that `pid` holds, and if so cancels `pid`'s statement (pg_cancel_backend). Its
 * connection comes from `open`, on first use.
 */
export function blockingWatcher(open: () => Promise<pg.Client>, limitMs: number): BlockingWatcher {
  let connection: Promise<pg.Client> | undefined;
  const client = () => (connection ??= open());
  return {
    watch(pid) {
      let stopped = false;
      let cancelled = false;
      let inFlight: Promise<void> = Promise.resolve();
      const check = async () => {
        if (stopped || cancelled) return;
        const watcher = await client();
        const { rows } = await watcher.query<{ blocking: boolean }>(
          `SELECT EXISTS (SELECT 1 FROM pg_stat_activity
                           WHERE wait_event_type = 'Lock' AND pid <> $1 AND $1 = ANY (pg_blocking_pids(pid))
                             AND clock_timestamp() - query_start > $2 * interval '1 millisecond') AS blocking`,
          [pid, limitMs],
        );
        // A cancel that reaches the session between two statements is dropped by PostgreSQL, so one
        // sent just as the batch finishes does no harm: stop() waits for it before the COMMIT goes out.
        if (rows[0]?.blocking && !stopped) {
          cancelled = true;
          await watcher.query("SELECT pg_cancel_backend($1)", [pid]);
        }
      };
      const timer = setInterval(() => {
        inFlight = inFlight.then(check).catch(() => {});
      }, Math.max(10, Math.round(limitMs / 4)));
      return {
        async stop() {
          stopped = true;
          clearInterval(timer);
          await inFlight;
          return cancelled;
        },
      };
    },
    async close() {
      if (connection) await (await connection.catch(() => undefined))?.end().catch(() => {});
    },
  };
}
