// SIGKILL in the middle of a migration (an OOM kill, a node lost, a Job's pod evicted), then a rerun:
// the database converges and nothing is half-applied or applied twice. The migration is made to wait
// on a table lock a test session holds, so the kill lands mid-migration by state, not by timing.
import { describe, expect, it } from "vitest";
import { output, project, session, waitFor, type Project } from "./helpers.ts";

/** Pids of the migrator's sessions waiting for a table lock in a statement matching `like`. */
async function waitingBackends(p: Project, like: string): Promise<number[]> {
  const rows = await p.sql<{ pid: number }>(
    `SELECT pid FROM pg_stat_activity
      WHERE datname = current_database() AND application_name = 'migrator' AND wait_event_type = 'Lock' AND query LIKE $1 ORDER BY pid`,
    [like],
  );
  return rows.map((row) => row.pid);
}

/** The pid of the migrator's session once it waits for a table lock in a statement matching `like`. */
function waitingBackend(p: Project, like: string, except: number[] = []): Promise<number> {
  return waitFor(`the migration to wait for a lock in ${like}`, async () => (await waitingBackends(p, like)).find((pid) => !except.includes(pid)));
}

const sessionEnded = (p: Project, pid: number) =>
  waitFor(`session ${pid} to end`, async () => (await p.sql("SELECT 1 FROM pg_stat_activity WHERE pid = $1", [pid])).length === 0);

describe("crash safety", () => {
  it("SIGKILL while a transactional migration waits on a lock leaves nothing of it; the rerun applies it once", async () => {
    const p = await project();
    await p.write("20240101000000_t", "CREATE TABLE t (id int);\n");
    expect((await p.run(["deploy"])).code).toBe(0);
    const migration = "-- migrate: lock_timeout=60s\nCREATE TABLE x (id int PRIMARY KEY);\nINSERT INTO x VALUES (1);\nINSERT INTO t (id) VALUES (42);\n";
    await p.write("20240102000000_x", migration);

    const blocker = await session(p.url, "blocker");
    await blocker.query("BEGIN");
    await blocker.query("LOCK TABLE t IN ACCESS EXCLUSIVE MODE");
    const deploy = p.start(["deploy"]);
    const backend = await waitingBackend(p, "%INSERT INTO t (id) VALUES (42)%");
    deploy.child.kill("SIGKILL");
    expect((await deploy.done).signal).toBe("SIGKILL");
    await blocker.query("COMMIT");

    // Once the server has noticed, the killed run's transaction is gone, x with it (it never got its
    // COMMIT); the migration is pending, not failed.
    await sessionEnded(p, backend);
    expect(await p.tables()).toEqual(["t"]);
    expect(await p.sql("SELECT id FROM t")).toEqual([]);
    expect((await p.history()).map((row) => row.migration_name)).toEqual(["20240101000000_t"]);
    const [status] = (await p.run(["status", "--json"])).stdout.trimEnd().split("\n").map((line) => JSON.parse(line) as { migrations: { name: string; state: string }[] });
    expect(status?.migrations.map((m) => [m.name, m.state])).toEqual([
      ["20240101000000_t", "applied"],
      ["20240102000000_x", "pending"],
    ]);

    const rerun = await p.run(["deploy"]);
    expect(rerun.code, output(rerun)).toBe(0);
    expect(await p.sql("SELECT id FROM x")).toEqual([{ id: 1 }]);
    expect(await p.sql("SELECT id FROM t")).toEqual([{ id: 42 }]);
    expect((await p.history()).map((row) => [row.migration_name, row.finished, row.rolled_back])).toEqual([
      ["20240101000000_t", true, false],
      ["20240102000000_x", true, false],
    ]);
    expect((await p.run(["status", "--check"])).code).toBe(0);
  });

  it("SIGKILL while a transactional migration waits, and a rerun that starts before the lock is released: applied exactly once", async () => {
    const p = await project();
    await p.write("20240101000000_t", "CREATE TABLE t (id int);\n");
    expect((await p.run(["deploy"])).code).toBe(0);
    // Data only: nothing (like a CREATE TABLE) would make a second copy fail instead of applying twice.
    await p.write("20240102000000_seed", "-- migrate: lock_timeout=60s\nINSERT INTO t (id) VALUES (42);\n");

    const blocker = await session(p.url, "blocker");
    await blocker.query("BEGIN");
    await blocker.query("LOCK TABLE t IN ACCESS EXCLUSIVE MODE");
    const killed = p.start(["deploy"]);
    const orphan = await waitingBackend(p, "%INSERT INTO t (id) VALUES (42)%");
    killed.child.kill("SIGKILL");
    expect((await killed.done).signal).toBe("SIGKILL");
    // The Job restarts at once: the killed run's lock session is gone, its migration session still waits.
    const rerun = p.start(["deploy"]);
    await waitingBackend(p, "%INSERT INTO t (id) VALUES (42)%", [orphan]);
    await blocker.query("COMMIT");

    const result = await rerun.done;
    expect(result.code, output(result)).toBe(0);
    await sessionEnded(p, orphan);
    expect(await p.sql("SELECT id FROM t")).toEqual([{ id: 42 }]);
    expect((await p.history()).map((row) => [row.migration_name, row.finished, row.rolled_back])).toEqual([
      ["20240101000000_t", true, false],
      ["20240102000000_seed", true, false],
    ]);
    expect((await p.run(["status", "--check"])).code).toBe(0);
  });

  it("SIGKILL while statement 2 of a statement-by-statement migration waits: the rerun continues from statement 2, runs statement 1 once and finishes", async () => {
    const p = await project();
    await p.write("20240101000000_tables", "CREATE TABLE counter (statement int);\nCREATE TABLE t (id int);\n");
    expect((await p.run(["deploy"])).code).toBe(0);
    const name = "20240102000000_index";
    await p.write(
      name,
      "-- migrate: transaction=false lock_timeout=60s\nINSERT INTO counter (statement) VALUES (1);\nINSERT INTO t (id) VALUES (2);\nCREATE INDEX CONCURRENTLY t_id_idx ON t (id);\n",
    );

    const blocker = await session(p.url, "blocker");
    await blocker.query("BEGIN");
    await blocker.query("LOCK TABLE t IN ACCESS EXCLUSIVE MODE");
    const deploy = p.start(["deploy"]);
    await waitingBackend(p, "INSERT INTO t (id) VALUES (2)%");
    // Statement 1 is committed and recorded as done.
    expect(await p.sql("SELECT statement FROM counter")).toEqual([{ statement: 1 }]);
    expect((await p.history()).find((row) => row.migration_name === name)).toMatchObject({ finished: false, applied_steps_count: 1 });
    deploy.child.kill("SIGKILL");
    expect((await deploy.done).signal).toBe("SIGKILL");

    expect((await p.run(["status", "--check"])).code).toBe(3);
    // What a rerun would do: continue with statement 2.
    const plan = await p.run(["plan"]);
    expect(plan.code, output(plan)).toBe(0);
    expect(plan.stdout).toContain("-- continuing after statement 1 of 3 (an earlier run was interrupted)");
    expect(plan.stdout).not.toContain("INSERT INTO counter");
    await blocker.query("COMMIT");

    const rerun = await p.run(["deploy"]);
    expect(rerun.code, output(rerun)).toBe(0);
    expect(rerun.stdout).toContain(`✔ applied  ${name}`);
    expect(await p.sql("SELECT statement FROM counter")).toEqual([{ statement: 1 }]);
    expect(await p.sql("SELECT id FROM t")).toEqual([{ id: 2 }]);
    expect(await p.sql("SELECT indisvalid AS valid FROM pg_index WHERE indexrelid = 't_id_idx'::regclass")).toEqual([{ valid: true }]);
    expect((await p.history()).filter((row) => row.migration_name === name)).toMatchObject([{ finished: true, rolled_back: false, applied_steps_count: 3, logs: null }]);
    const status = await p.run(["status", "--check"]);
    expect(status.code, output(status)).toBe(0);
    expect(status.stdout).toContain("At head.");
  });
});
