// `migrator deploy` without output, for the tests and the benchmark: every schema and data migration
// of @repo/db, under the engine's lock. Throws when one fails.
import { createDb } from "@repo/db/client";
import { dataMigrationsDir, migrationsDir } from "@repo/db/paths";
import { deploy } from "@repo/migrate";

export async function deployAll(url: string): Promise<void> {
  const result = await deploy({
    url,
    migrationsDir,
    dataMigrationsDir,
    applicationName: "api (deploy)",
    dataClient: (target) => {
      const client = createDb({ url: target, poolSize: 2, applicationName: "api (data migrations)" });
      return Promise.resolve({ client, close: () => client.$disconnect() });
    },
  });
  if (!result.ok) throw new Error(`Deploy failed: ${result.steps.find((step) => step.error)?.error?.message ?? "unknown"}`);
}
