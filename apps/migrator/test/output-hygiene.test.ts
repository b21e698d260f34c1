// What the migrator prints is safe to paste into a ticket or ship to a log pipeline: passwords in the
// URL never appear (the redacted form does), and --json output is plain JSON lines, even on a terminal.
import { spawnSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import { cleanEnv, migrator, output, project, type Project, type Run } from "./helpers.ts";

/** `url` with a password: the server's own when it checks passwords, else one full of URL-special characters. */
function withPassword(url: string): { url: URL; secrets: string[] } {
  const parsed = new URL(url);
  if (!parsed.password) parsed.password = "S3cret/p@ss:w?rd#1"; // the trust-auth test server ignores it
  return { url: parsed, secrets: [decodeURIComponent(parsed.password), parsed.password] };
}

const hasScript = spawnSync("script", ["--version"]).status === 0;
const quote = (arg: string) => `'${arg.replaceAll("'", "'\\''")}'`;

/** Runs the migrator on a pseudo-terminal (util-linux `script`): stdout and stderr are a TTY, merged. */
async function onTerminal(p: Project, args: string[], env: NodeJS.ProcessEnv): Promise<Run> {
  const run = await migrator([...p.flags(), ...args], {
    cwd: p.root,
    env,
    wrap: (argv) => ({ command: "script", args: ["-qec", argv.map(quote).join(" "), "/dev/null"] }),
  });
  return { ...run, stdout: run.stdout.replaceAll("\r\n", "\n") };
}

const ESC = "\u001b";

describe("output hygiene", () => {
  it("never prints the password of the URL, in any command, output mode or error; shows *** instead", async () => {
    const p = await project();
    await p.write("20240101000000_ok", "CREATE TABLE ok (id int);\n", "DROP TABLE ok;\n");
    await p.write("20240102000000_bad", "INSERT INTO no_such_table VALUES (1);\n");
    const { url, secrets } = withPassword(p.url);
    const inQuery = new URL(p.url);
    inQuery.password = "";
    inQuery.searchParams.set("password", secrets[0] as string);
    const unreachable = new URL(url.toString());
    unreachable.port = "1";
    const noDatabase = new URL(url.toString());
    noDatabase.pathname = "/no_such_database_here";

    const runs: [string, Run][] = [];
    const run = async (label: string, args: string[], options: { url?: string | null; env?: NodeJS.ProcessEnv } = {}) => {
      const result = await p.run(args, { url: url.toString(), ...options });
      runs.push([label, result]);
      return result;
    };
    const status = await run("status", ["status"]);
    expect(status.code, output(status)).toBe(0);
    expect(status.stdout).toMatch(/^Database {2}postgresql:\/\/[^:]+:\*\*\*@/);
    const json = await run("status --json", ["status", "--json"]);
    expect((JSON.parse(json.stdout) as { database: string }).database).toMatch(/^postgresql:\/\/[^:]+:\*\*\*@/);
    const query = await run("password= in the query", ["status", "--json"], { url: inQuery.toString() });
    expect(query.code, output(query)).toBe(0);
    expect((JSON.parse(query.stdout) as { database: string }).database).toContain("password=***");
    const fromEnv = await run("DATABASE_URL", ["status"], { url: null, env: cleanEnv({ DATABASE_URL: url.toString() }) });
    expect(fromEnv.stdout).toContain(":***@");
    await run("plan", ["plan"]);
    expect((await run("deploy", ["deploy"])).code).toBe(1);
    expect((await run("deploy --json", ["deploy", "--json"])).code).toBe(1);
    await run("history", ["history"]);
    await run("history --json", ["history", "--json"]);
    await run("current", ["current"]);
    await run("down", ["down", "--json"]);
    expect((await run("unreachable", ["status"], { url: unreachable.toString() })).code).toBe(5);
    expect((await run("unreachable --json", ["status", "--json"], { url: unreachable.toString() })).code).toBe(5);
    expect((await run("no such database", ["status"], { url: noDatabase.toString() })).code).toBe(5);

    for (const [label, result] of runs) {
      for (const secret of secrets) expect(output(result), `${label} printed the password`).not.toContain(secret);
    }
  });

  it.skipIf(!hasScript)("--json output has no colour codes even on a colour terminal, where text output has them", async () => {
    const p = await project();
    await p.write("20240101000000_ok", "CREATE TABLE ok (id int);\n");
    await p.write("20240102000000_bad", "INSERT INTO no_such_table VALUES (1);\n");
    const terminal = cleanEnv({ NO_COLOR: undefined, TERM: "xterm-256color" });

    // The harness is a colour terminal: text output is coloured there.
    const text = await onTerminal(p, ["status"], terminal);
    expect(text.stdout).toContain(`${ESC}[`);

    for (const args of [["status", "--json"], ["deploy", "--json"], ["history", "--json"], ["status", "--check", "--json"], ["up", "nosuch", "--json"]]) {
      const run = await onTerminal(p, args, terminal);
      expect(run.stdout, args.join(" ")).not.toContain(ESC);
      const lines = run.stdout.split("\n").filter(Boolean);
      expect(lines.length, args.join(" ")).toBeGreaterThan(0);
      for (const line of lines) expect(() => JSON.parse(line) as unknown, `${args.join(" ")}: ${line}`).not.toThrow();
    }

    // NO_COLOR and --no-color turn colour off for text too.
    expect((await onTerminal(p, ["status"], cleanEnv({ TERM: "xterm-256color" }))).stdout).not.toContain(ESC);
    expect((await onTerminal(p, ["--no-color", "status"], terminal)).stdout).not.toContain(ESC);
  });
});
