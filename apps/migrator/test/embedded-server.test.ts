// Against a password-authenticated server (the embedded PostgreSQL 18, scram-sha-256): the right
// password deploys, a wrong one exits 5, and neither password is ever printed.
import { startScratchLocalServer, type ScratchLocalServer } from "@repo/dev-postgres";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { output, project, sqlOn } from "./helpers.ts";

let server: ScratchLocalServer;

beforeAll(async () => {
  server = await startScratchLocalServer("migrator_embedded");
});

afterAll(() => server?.stop());

describe("on a password-authenticated server", () => {
  it("deploys with the right password, and exits 5 for a wrong one without printing either", async () => {
    // The project's folders; its database here is the embedded server's.
    const p = await project();
    await p.write("20240101000000_a", "CREATE TABLE a (id int);\n");
    const password = decodeURIComponent(new URL(server.url).password);
    expect(password.length).toBeGreaterThan(8);

    const deploy = await p.run(["deploy"], { url: server.url });
    expect(deploy.code, output(deploy)).toBe(0);
    const status = await p.run(["status", "--check"], { url: server.url });
    expect(status.code, output(status)).toBe(0);
    expect(status.stdout).toContain(`Database  ${server.redactedUrl}`);
    expect(server.redactedUrl).toContain(":***@");
    expect(await sqlOn(server.url, "SELECT to_regclass('a') IS NOT NULL AS exists")).toEqual([{ exists: true }]);

    const wrong = new URL(server.url);
    wrong.password = "not-the-Passw0rd";
    for (const args of [["deploy"], ["status", "--json"]]) {
      const run = await p.run(args, { url: wrong.toString() });
      expect(run.code, output(run)).toBe(5);
      expect(output(run)).toMatch(/AUTHENTICATION_FAILED.*PostgreSQL at 127\.0\.0\.1:\d+ rejected the credentials: password authentication failed for user \\?"postgres\\?"/);
      expect(output(run)).not.toContain("not-the-Passw0rd");
      expect(output(run)).not.toContain(password);
    }
    for (const run of [deploy, status]) expect(output(run)).not.toContain(password);
  });
});
