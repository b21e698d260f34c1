// The release workflow's deploy job, run step by step as GitHub runs it (bash -e, `if:` conditions,
// `env:` and `working-directory`), against stand-ins for kubectl and kustomize that play a cluster whose
// migrator Job completes, fails or never finishes: the API is rolled out only after a completed Job, and
// the Job's logs are printed whatever happened.
import { spawnSync } from "node:child_process";
import { chmodSync, cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, test } from "vitest";
import { K8S, WORKFLOWS, readYaml } from "./manifest-files.ts";

interface Step { name?: string; uses?: string; run?: string; if?: string; env?: Record<string, string>; "working-directory"?: string }
interface Workflow { jobs: Record<string, { env?: Record<string, string>; steps: Step[] }> }

const release = readYaml(join(WORKFLOWS, "release.yml")) as Workflow;

/** What the expressions of the deploy job evaluate to in this run. */
const EXPRESSIONS: Record<string, string> = {
  "secrets.KUBE_CONFIG": "apiVersion: v1\nkind: Config\n",
  "needs.images.outputs.migrator": "ghcr.io/acme/app/migrator",
  "needs.images.outputs.api": "ghcr.io/acme/app/api",
  "needs.images.outputs.tag": "v1.4.0",
};
function evaluate(value: string): string {
  return value.replace(/\$\{\{\s*([^}]+?)\s*\}\}/g, (_m, expression: string) => {
    if (!(expression in EXPRESSIONS)) throw new Error(`release.yml uses \${{ ${expression} }}: give it a value in EXPRESSIONS`);
    return EXPRESSIONS[expression]!;
  });
}

// kubectl: records each call; `wait` ends when the cluster reaches that condition (FAKE_JOB), waits
// "forever" otherwise, or times out at once for FAKE_JOB=timeout. kustomize: records each call.
const KUBECTL = `#!/bin/bash
echo "kubectl $*" >> "$FAKE_LOG"
if [ "$1" = wait ]; then
  for arg in "$@"; do case "$arg" in --for=condition=*) condition="\${arg#--for=condition=}";; esac; done
  if [ "$FAKE_JOB" = timeout ]; then sleep 0.2; echo "error: timed out waiting for the condition" >&2; exit 1; fi
  if [ "$condition" = "$FAKE_JOB" ]; then sleep 0.2; echo "job.batch/migrate condition met"; exit 0; fi
  exec sleep 30
fi
if [ "$1" = logs ]; then echo "migrator: 2 migrations applied"; fi
exit 0
`;
const KUSTOMIZE = `#!/bin/bash
echo "kustomize $* (in \${PWD##*/})" >> "$FAKE_LOG"
`;

const temp = mkdtempSync(join(tmpdir(), "release-"));
afterAll(() => rmSync(temp, { recursive: true, force: true }));

/** Runs the deploy job's `run` steps in order; returns the calls made, the output and whether the job failed. */
function runDeployJob(job: "complete" | "failed" | "timeout") {
  const dir = mkdtempSync(join(temp, `${job}-`));
  const bin = join(dir, "bin");
  mkdirSync(bin);
  writeFileSync(join(bin, "kubectl"), KUBECTL);
  writeFileSync(join(bin, "kustomize"), KUSTOMIZE);
  chmodSync(join(bin, "kubectl"), 0o755);
  chmodSync(join(bin, "kustomize"), 0o755);
  // The checkout: the kustomization the job edits and applies.
  const checkout = join(dir, "checkout");
  cpSync(K8S, join(checkout, "docker/k8s"), { recursive: true });
  const log = join(dir, "calls.log");
  writeFileSync(log, "");

  const deploy = release.jobs.deploy!;
  let failed = false;
  const output: string[] = [];
  const ran: string[] = [];
  for (const step of deploy.steps) {
    if (!step.run) continue; // actions/checkout: the copy above
    const condition = step.if ?? "success()";
    if (condition === "success()" ? failed : condition === "failure()" ? !failed : condition !== "always()") continue;
    const env: Record<string, string> = {
      PATH: `${bin}:${process.env.PATH}`,
      HOME: dir,
      FAKE_LOG: log,
      FAKE_JOB: job,
      ...Object.fromEntries(Object.entries({ ...deploy.env, ...step.env }).map(([k, v]) => [k, evaluate(v)])),
    };
    const result = spawnSync("bash", ["-e", "-c", step.run], { cwd: join(checkout, step["working-directory"] ?? "."), env, encoding: "utf8", timeout: 20_000 });
    if (result.error) throw result.error;
    output.push(result.stdout, result.stderr);
    ran.push(step.name ?? step.run.split("\n")[0]!);
    if (result.status !== 0) failed = true;
  }
  const calls = readFileSync(log, "utf8").trim().split("\n");
  return { calls, failed, output: output.join(""), ran, kubeconfig: readFileSync(join(dir, ".kube/config"), "utf8") };
}

describe("release.yml's deploy job", () => {
  test("a completed migrator Job: the release's images, the Job, its logs, then the API rollout", () => {
    const run = runDeployJob("complete");
    expect(run.failed).toBe(false);
    expect(run.kubeconfig).toBe(EXPRESSIONS["secrets.KUBE_CONFIG"]);
    expect(run.calls.filter((c) => !c.startsWith("kubectl wait"))).toEqual([
      "kubectl version",
      "kustomize edit set image migrator=ghcr.io/acme/app/migrator:v1.4.0 api=ghcr.io/acme/app/api:v1.4.0 (in k8s)",
      "kubectl delete job/migrate --ignore-not-found --wait=true",
      "kubectl apply -k docker/k8s -l app.kubernetes.io/component=migrate",
      "kubectl logs job/migrate --all-containers --timestamps --tail=-1",
      "kubectl apply -k docker/k8s -l app.kubernetes.io/component!=migrate",
      "kubectl rollout status deployment/api --timeout=10m",
    ]);
    expect(run.calls.filter((c) => c.startsWith("kubectl wait")).sort()).toEqual([
      "kubectl wait --for=condition=complete job/migrate --timeout=65m",
      "kubectl wait --for=condition=failed job/migrate --timeout=65m",
    ]);
    expect(run.output).toContain("migrator: 2 migrations applied");
  });

  test.each(["failed", "timeout"] as const)("a migrator Job that %s: the job fails after printing the logs, and the API is not touched", (outcome) => {
    const started = Date.now();
    const run = runDeployJob(outcome);
    expect(run.failed).toBe(true);
    // The wait for the other condition was stopped, not waited out.
    expect(Date.now() - started).toBeLessThan(15_000);
    expect(run.calls).toContain("kubectl logs job/migrate --all-containers --timestamps --tail=-1");
    expect(run.calls.some((c) => c.includes("component!=migrate") || c.startsWith("kubectl rollout"))).toBe(false);
    expect(run.output).toContain("::error::The migrator Job failed or did not complete in time");
    expect(run.ran).toContain("Rollout diagnostics");
  });
});
