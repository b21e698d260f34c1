// The deployment files agree with each other and with the code they deploy: the kustomization lists
// files that exist, images are Dockerfile targets, the Job's timings match the migrator's SIGTERM
// behaviour and exit codes, probes hit routes the API serves, compose orders migrate before the API,
// the release waits for the Job before rolling out. Schema validation: manifests.test.ts.
import { existsSync } from "node:fs";
import { join, resolve } from "node:path";
import type { IDeployment } from "kubernetes-models/apps/v1/Deployment";
import type { IJob } from "kubernetes-models/batch/v1/Job";
import type { IPodSpec } from "kubernetes-models/v1/PodSpec";
import type { ISecret } from "kubernetes-models/v1/Secret";
import type { IService } from "kubernetes-models/v1/Service";
import { describe, expect, test } from "vitest";
import { parseDockerfile } from "./dockerfile-stages.ts";
import { DOCKER, K8S, ROOT, WORKFLOWS, kubernetesFiles, readText, readYaml } from "./manifest-files.ts";

// ── What the code says ───────────────────────────────────────────────────────────────────────────
const STAGES = parseDockerfile(readText(join(DOCKER, "Dockerfile")));
const TARGETS = [...STAGES.keys()];
/** The uid a target's image runs as (`USER 1000:1000`). */
const uidOf = (target: string) => Number(STAGES.get(target)?.user?.split(":")[0]);

/** A number from a source file, found by a pattern; fails naming the file when the pattern no longer matches. */
function numberIn(file: string, pattern: RegExp): number {
  const match = pattern.exec(readText(join(ROOT, file)));
  if (!match) throw new Error(`${file} no longer matches ${String(pattern)}: update this test`);
  return Number(match[1]!.replaceAll("_", ""));
}
const EXIT = {
  usage: numberIn("apps/migrator/src/exit-codes.ts", /\busage: (\d+)/),
  refused: numberIn("apps/migrator/src/exit-codes.ts", /\brefused: (\d+)/),
  unavailable: numberIn("apps/migrator/src/exit-codes.ts", /\bunavailable: (\d+)/),
  backupFailed: numberIn("apps/migrator/src/exit-codes.ts", /\bbackupFailed: (\d+)/),
  interruptedResumable: numberIn("apps/migrator/src/exit-codes.ts", /\binterruptedResumable: (\d+)/),
};
/** apps/migrator/test/backfill-crash.test.ts: SIGTERM stops a data migration within this many ms. */
const SIGTERM_STOP_MS = numberIn("apps/migrator/test/backfill-crash.test.ts", /toBeLessThan\(([\d_]+)\)/);
/** How long a schema migration blocked by locks keeps retrying (packages/migrate DEFAULT_SETTINGS). */
const LOCK_RETRY_BUDGET_MS = numberIn("packages/migrate/src/runtime/settings.ts", /budgetMs: ([\d_]+)/);
const API_ROUTES = [...readText(join(ROOT, "apps/api/src/routes/health.ts")).matchAll(/path: "([^"]+)"/g)].map((m) => m[1]);

// ── The files ────────────────────────────────────────────────────────────────────────────────────
interface Kustomization {
  resources: string[];
  images: { name: string; newName: string; newTag: string }[];
  configMapGenerator: { name: string; literals: string[] }[];
}
interface ComposeService {
  image?: string;
  build?: { context: string; dockerfile: string; target: string };
  command?: string[];
  environment?: Record<string, string>;
  env_file?: { path: string; required: boolean }[];
  volumes?: string[];
  depends_on?: Record<string, { condition: string }>;
  healthcheck?: { test: string[] };
  read_only?: boolean;
  stop_grace_period?: string;
}
interface Compose { services: Record<string, ComposeService> }
interface Step { name?: string; uses?: string; run?: string; if?: string; with?: Record<string, string>; "working-directory"?: string }
interface Workflow { on: Record<string, unknown>; jobs: Record<string, { needs?: string | string[]; steps: Step[] }> }

const kustomization = readYaml(join(K8S, "kustomization.yaml")) as Kustomization;
const job = readYaml(join(K8S, "migrate-job.yaml")) as IJob;
const deployment = readYaml(join(K8S, "api-deployment.yaml")) as IDeployment;
const service = readYaml(join(K8S, "api-service.yaml")) as IService;
const secret = readYaml(join(K8S, "secret.example.yaml")) as ISecret;
const compose = readYaml(join(DOCKER, "compose.yml")) as Compose;
const composeProd = readYaml(join(DOCKER, "compose.prod.yml")) as Compose;
const release = readYaml(join(WORKFLOWS, "release.yml")) as Workflow;
const ci = readYaml(join(WORKFLOWS, "ci.yml")) as Workflow;

const jobPod = job.spec!.template.spec!;
const apiPod = deployment.spec!.template.spec!;
const apiContainer = apiPod.containers[0]!;
const seconds = (duration: string) => Number(/^(\d+)s$/.exec(duration)?.[1] ?? NaN);

describe("the kustomization", () => {
  test("lists files that exist, and every manifest but the example Secret", () => {
    for (const file of kustomization.resources) expect(existsSync(join(K8S, file)), `${file} exists`).toBe(true);
    expect([...kustomization.resources].sort()).toEqual(kubernetesFiles().filter((f) => !f.includes(".example.")));
  });

  test("names an image for each container, and the generated ConfigMap is the one the API reads", () => {
    const images = kustomization.images.map((i) => i.name);
    for (const container of [...jobPod.containers, ...apiPod.containers]) expect(images).toContain(container.image);
    expect(apiContainer.envFrom?.map((e) => e.configMapRef?.name)).toContain(kustomization.configMapGenerator[0]!.name);
  });
});

describe("images and Dockerfile targets", () => {
  test("docker/Dockerfile has the api and migrator targets, running as a non-root uid", () => {
    expect(TARGETS).toEqual(expect.arrayContaining(["api", "migrator"]));
    expect(uidOf("api")).toBeGreaterThan(0);
    expect(uidOf("migrator")).toBeGreaterThan(0);
  });

  test("the Job passes `deploy` as arguments to the image's `migrator` entrypoint; the API listens on the image's PORT", () => {
    expect(STAGES.get("migrator")!.entrypoint).toEqual(["migrator"]);
    expect(jobPod.containers[0]!.command).toBeUndefined();
    expect(compose.services.migrate!.command).toEqual(jobPod.containers[0]!.args);
    expect(Number(STAGES.get("api")!.env.PORT)).toBe(apiContainer.ports![0]!.containerPort);
  });

  test.each([["compose.yml", compose], ["compose.prod.yml", composeProd]] as const)("%s builds only Dockerfile targets, from docker/Dockerfile", (_file, file) => {
    const built = Object.values(file.services).filter((s) => s.build);
    expect(built.map((s) => s.build!.target).sort()).toEqual(["api", "migrator"]);
    for (const { build } of built) {
      expect(TARGETS).toContain(build!.target);
      expect(resolve(DOCKER, build!.context, build!.dockerfile)).toBe(join(DOCKER, "Dockerfile"));
    }
  });

  test("release.yml builds and pushes both targets from docker/Dockerfile", () => {
    const builds = release.jobs.images!.steps.filter((s) => s.uses?.startsWith("docker/build-push-action@"));
    expect(builds.map((s) => s.with!.target).sort()).toEqual(["api", "migrator"]);
    for (const step of builds) {
      expect(TARGETS).toContain(step.with!.target);
      expect(resolve(ROOT, step.with!.context!, step.with!.file!)).toBe(join(DOCKER, "Dockerfile"));
      expect(step.with!.push).toBe(true);
    }
  });
});

describe("the migrator Job", () => {
  test("runs `migrator deploy` once per attempt, bounded in time and kept a while for its logs", () => {
    expect(jobPod.restartPolicy).toBe("Never");
    expect(jobPod.containers.map((c) => c.args)).toEqual([["deploy"]]);
    expect(job.spec!.backoffLimit).toBeGreaterThanOrEqual(1);
    expect(job.spec!.ttlSecondsAfterFinished).toBeGreaterThan(0);
    expect(job.spec!.activeDeadlineSeconds).toBeGreaterThan(jobPod.terminationGracePeriodSeconds!);
  });

  test("gives SIGTERM time to stop after the current batch, and a lock-blocked schema step its retry budget", () => {
    expect(jobPod.terminationGracePeriodSeconds! * 1000).toBeGreaterThan(SIGTERM_STOP_MS);
    expect(jobPod.terminationGracePeriodSeconds! * 1000).toBeGreaterThan(LOCK_RETRY_BUDGET_MS);
    // Compose gives the migrate service the same time before SIGKILL.
    expect(seconds(composeProd.services.migrate!.stop_grace_period!)).toBe(jobPod.terminationGracePeriodSeconds);
  });

  test("its podFailurePolicy follows the migrator's exit codes", () => {
    const rules = job.spec!.podFailurePolicy!.rules;
    const codes = (action: string) => rules.filter((r) => r.action === action).flatMap((r) => r.onExitCodes?.values ?? []);
    expect(codes("Ignore")).toEqual([EXIT.interruptedResumable]);
    expect(codes("FailJob").sort()).toEqual([EXIT.usage, EXIT.refused, EXIT.backupFailed].sort());
    // Unreachable database / lock held: retried within backoffLimit.
    expect([...codes("FailJob"), ...codes("Ignore")]).not.toContain(EXIT.unavailable);
    for (const rule of rules) if (rule.onExitCodes) expect(rule.onExitCodes.containerName).toBe(jobPod.containers[0]!.name);
    expect(rules.some((r) => r.action === "Ignore" && r.onPodConditions?.some((c) => c.type === "DisruptionTarget"))).toBe(true);
  });

  test("backs up to a mounted volume that outlives the pod", () => {
    const container = jobPod.containers[0]!;
    const dir = container.env!.find((e) => e.name === "MIGRATOR_BACKUP_DIR")?.value;
    const mount = container.volumeMounts!.find((m) => m.mountPath === dir);
    expect(mount, `a volume mounted at MIGRATOR_BACKUP_DIR (${dir})`).toBeDefined();
    expect(jobPod.volumes!.find((v) => v.name === mount!.name)?.persistentVolumeClaim).toBeDefined();
  });
});

test.each(["README.md", "docker/k8s/README.md"])("%s quotes the Job's settings as the manifest has them", (file) => {
  const text = readText(join(ROOT, file));
  const settings = {
    backoffLimit: job.spec!.backoffLimit,
    activeDeadlineSeconds: job.spec!.activeDeadlineSeconds,
    ttlSecondsAfterFinished: job.spec!.ttlSecondsAfterFinished,
    terminationGracePeriodSeconds: jobPod.terminationGracePeriodSeconds,
  };
  for (const [key, value] of Object.entries(settings)) {
    const quoted = [...text.matchAll(new RegExp(`${key}: (\\d+)`, "g"))].map((m) => Number(m[1]));
    expect(quoted.length, `${file} mentions ${key}`).toBeGreaterThan(0);
    expect(new Set(quoted), `${key} in ${file}`).toEqual(new Set([value]));
  }
});

describe.each([["Job", jobPod, "migrator"], ["Deployment", apiPod, "api"]] as [string, IPodSpec, string][])("the %s's pod", (_kind, pod, target) => {
  test("runs as the image's non-root uid with seccomp RuntimeDefault and no service-account token", () => {
    expect(pod.securityContext).toMatchObject({ runAsNonRoot: true, runAsUser: uidOf(target), seccompProfile: { type: "RuntimeDefault" } });
    expect(pod.automountServiceAccountToken).toBe(false);
  });

  test("locks each container down: read-only root, no privilege escalation, every capability dropped, /tmp on an emptyDir", () => {
    for (const container of pod.containers) {
      expect(container.securityContext).toMatchObject({ allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, runAsNonRoot: true });
      expect(container.securityContext?.capabilities?.drop).toContain("ALL");
      const tmp = container.volumeMounts?.find((m) => m.mountPath === "/tmp");
      expect(pod.volumes?.find((v) => v.name === tmp?.name)?.emptyDir, "an emptyDir on /tmp").toBeDefined();
    }
  });

  test("has resource requests and limits for CPU and memory", () => {
    for (const { resources } of pod.containers) {
      expect(Object.keys(resources?.requests ?? {}).sort()).toEqual(["cpu", "memory"]);
      expect(Object.keys(resources?.limits ?? {}).sort()).toEqual(["cpu", "memory"]);
    }
  });

  test("reads DATABASE_URL from the Secret the example shows", () => {
    for (const container of pod.containers) {
      const ref = container.env?.find((e) => e.name === "DATABASE_URL")?.valueFrom?.secretKeyRef;
      expect(ref).toEqual({ name: secret.metadata!.name, key: "DATABASE_URL" });
      expect(Object.keys(secret.stringData!)).toContain(ref!.key);
    }
  });
});

describe("the API Deployment and Service", () => {
  test("probes: readiness on /ready, liveness and startup on /health, all routes the API serves, on its named port", () => {
    expect(apiContainer.readinessProbe?.httpGet?.path).toBe("/ready");
    expect(apiContainer.livenessProbe?.httpGet?.path).toBe("/health");
    expect(apiContainer.startupProbe?.httpGet?.path).toBe("/health");
    const ports = apiContainer.ports!.map((p) => p.name);
    for (const probe of [apiContainer.readinessProbe, apiContainer.livenessProbe, apiContainer.startupProbe]) {
      expect(API_ROUTES).toContain(probe!.httpGet!.path);
      expect(ports).toContain(probe!.httpGet!.port);
    }
  });

  test("listens on the PORT it is given, and the Service reaches it", () => {
    const port = kustomization.configMapGenerator[0]!.literals.find((l) => l.startsWith("PORT="));
    expect(port).toBe(`PORT=${apiContainer.ports![0]!.containerPort}`);
    expect(apiContainer.ports!.map((p) => p.name)).toContain(service.spec!.ports![0]!.targetPort);
    expect(deployment.spec!.template.metadata!.labels).toMatchObject(service.spec!.selector!);
    expect(deployment.spec!.template.metadata!.labels).toMatchObject(deployment.spec!.selector.matchLabels!);
  });

  test("rolls out without dropping below its replicas, and drains within its grace period", () => {
    expect(deployment.spec!.strategy).toMatchObject({ type: "RollingUpdate", rollingUpdate: { maxUnavailable: 0 } });
    const shutdownMs = Number(kustomization.configMapGenerator[0]!.literals.find((l) => l.startsWith("SHUTDOWN_TIMEOUT_MS="))!.split("=")[1]);
    const preStop = apiContainer.lifecycle?.preStop?.sleep?.seconds ?? 0;
    expect((preStop * 1000 + shutdownMs) / 1000).toBeLessThan(apiPod.terminationGracePeriodSeconds!);
  });

  test("the API reads every key of the Secret, the migrator only DATABASE_URL", () => {
    const keys = (container: { env?: { valueFrom?: { secretKeyRef?: { name?: string; key: string } } }[] }) =>
      (container.env ?? []).map((e) => e.valueFrom?.secretKeyRef).filter((ref) => ref?.name === secret.metadata!.name).map((ref) => ref!.key);
    expect(keys(apiContainer).sort()).toEqual(Object.keys(secret.stringData!).sort());
    expect(keys(jobPod.containers[0]!)).toEqual(["DATABASE_URL"]);
  });

  test("the example Secret holds placeholders only and is not applied by the kustomization", () => {
    expect(Object.values(secret.stringData!).every((v) => v.includes("CHANGE_ME"))).toBe(true);
    expect(kustomization.resources).not.toContain("secret.example.yaml");
  });
});

describe("compose", () => {
  test("development: PostgreSQL healthy, then `migrator deploy`, then the API once migrate exited 0", () => {
    const { postgres, migrate, api } = compose.services;
    expect(postgres!.healthcheck?.test.join(" ")).toContain("pg_isready");
    expect(migrate!.command).toEqual(["deploy"]);
    expect(migrate!.depends_on).toEqual({ postgres: { condition: "service_healthy" } });
    expect(api!.depends_on).toEqual({ postgres: { condition: "service_healthy" }, migrate: { condition: "service_completed_successfully" } });
    for (const s of [migrate!, api!]) expect(new URL(s.environment!.DATABASE_URL!).hostname).toBe("postgres");
    expect(api!.environment!.HOST).toBe("0.0.0.0");
  });

  test("production: the separate migrate service backs up to a volume, and the API waits for it to succeed", () => {
    const { migrate, api } = composeProd.services;
    expect(api!.depends_on).toEqual({ migrate: { condition: "service_completed_successfully" } });
    expect(migrate!.command).toEqual(["deploy"]);
    const backups = migrate!.environment!.MIGRATOR_BACKUP_DIR;
    expect(migrate!.volumes!.map((v) => v.split(":").at(-1))).toContain(backups);
    for (const s of [migrate!, api!]) {
      expect(s.env_file).toEqual([{ path: ".env", required: true }]);
      expect(s.read_only).toBe(true);
    }
  });

  test("docker/.env.example sets every variable compose.prod.yml requires", () => {
    const required = [...readText(join(DOCKER, "compose.prod.yml")).matchAll(/\$\{(\w+):\?/g)].map((m) => m[1]!);
    const example = readText(join(DOCKER, ".env.example"));
    expect(required.length).toBeGreaterThan(0);
    for (const name of required) expect(example, name).toMatch(new RegExp(`^${name}=\\S`, "m"));
    for (const key of Object.keys(secret.stringData!)) expect(example, key).toMatch(new RegExp(`^${key}=\\S*CHANGE_ME`, "m"));
  });
});

describe("workflows", () => {
  const deploySteps = release.jobs.deploy!.steps;
  const index = (text: string) => deploySteps.findIndex((s) => s.run?.includes(text));

  test("release runs on version tags and by hand, and deploys only the images it built", () => {
    expect(Object.keys(release.on).sort()).toEqual(["push", "workflow_dispatch"]);
    expect(release.jobs.deploy!.needs).toBe("images");
    const setImage = deploySteps.find((s) => s.run?.includes("kustomize edit set image"))!;
    expect(setImage["working-directory"]).toBe("docker/k8s");
    for (const { name } of kustomization.images) expect(setImage.run).toContain(`"${name}=$`);
  });

  test("release runs the Job, waits for complete or failed, prints its logs, and only then rolls out the API", () => {
    const apply = index("-l app.kubernetes.io/component=migrate");
    const wait = index("kubectl wait --for=condition=complete job/migrate");
    const rollout = index("kubectl rollout status deployment/api");
    expect(apply).toBeGreaterThanOrEqual(0);
    expect(wait).toBeGreaterThanOrEqual(apply);
    expect(deploySteps[wait]!.run).toContain("kubectl wait --for=condition=failed job/migrate");
    expect(rollout).toBeGreaterThan(wait);
    const logs = deploySteps.find((s) => s.run?.includes("kubectl logs job/migrate"));
    expect(logs?.if).toBe("always()");
    // The Job and the API are applied apart, by the component label every object carries.
    for (const file of kustomization.resources) {
      const labels = (readYaml(join(K8S, file)) as { metadata: { labels: Record<string, string> } }).metadata.labels;
      expect(["api", "migrate"], file).toContain(labels["app.kubernetes.io/component"]);
    }
  });

  test("CI checks up-down-up with the root scripts: deploy, down to base, deploy, status at head", () => {
    const step = ci.jobs.test!.steps.find((s) => s.name?.startsWith("Up-down-up"));
    const commands = step!.run!.trim().split("\n").map((l) => l.trim());
    expect(commands).toEqual(["pnpm db:deploy", "pnpm db:down base", "pnpm db:deploy", "pnpm db:status --check"]);
    const scripts = (JSON.parse(readText(join(ROOT, "package.json"))) as { scripts: Record<string, string> }).scripts;
    for (const command of commands) expect(Object.keys(scripts)).toContain(command.split(" ")[1]);
  });
});
